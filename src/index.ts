export * from './network-interface';
export * from './instance-limits';
export * from './failover/eni-failover';
export * from './failover/failover-trigger';
export * from './dns-failover';
export * from './managed-fargate-service';
export * from './routing-appliance';
export * from './self-healing-instance';

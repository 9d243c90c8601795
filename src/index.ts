export * from './network-interface';
export * from './instance-limits';
export * from './dns-failover';
export * from './managed-fargate-service';

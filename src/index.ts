export * from './network-interface';
export * from './instance-limits';
export * from './dns-failover';

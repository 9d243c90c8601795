export * from './network-interface';
export * from './instance-limits';
export * from './management-access';
export * from './management-network';

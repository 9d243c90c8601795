export * from './network-interface';
export * from './instance-limits';

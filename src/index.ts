export * from './network-interface';
export * from './instance-limits';
export * from './management-access';
export * from './management-network';
export * from './dual-homed-instance';
export * from './dual-homed-fleet';
export * from './topology';

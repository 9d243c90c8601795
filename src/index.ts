export * from './network-interface';
export * from './management-access';
export * from './management-network';

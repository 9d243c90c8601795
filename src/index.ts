export * from './network-interface';
export * from './dual-homed-instance';

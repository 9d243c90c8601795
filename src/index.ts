export * from './network-interface';
export * from './dual-homed-instance';
export * from './dual-homed-fleet';

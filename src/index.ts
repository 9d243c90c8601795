export * from './network-interface';

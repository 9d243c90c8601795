export * from './model';
export * from './topology';
export * from './validation';

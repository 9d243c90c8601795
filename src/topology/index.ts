export * from './model';
export * from './topology';

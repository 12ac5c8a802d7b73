export * from './state';
export * from './machine';
export * from './store';

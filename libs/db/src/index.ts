export * from './appointments';
export * from './database';
export * from './migrate';
export * from './tenants';
export { trackWrites, type WriteTracker } from './write-tracking';

export * from './appointments';
export * from './database';
export * from './migrate';
export * from './tenants';

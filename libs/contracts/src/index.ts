export * from './common';
export * from './events';
export * from './headers';
export * from './http';
export * from './messaging';
export * from './topology';

export * from './common';
export * from './events';
export * from './headers';
export * from './messaging';
export * from './topology';

export * from './infra';
export * from './logs';
export * from './nats-server';
export * from './nats-cluster';
export * from './mariadb-server';
export * from './wait';
export * from './spawn';
export * from './promtool';

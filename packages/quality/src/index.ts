export * from './ranking/index';
export * from './agreement/index';
export * from './gold/index';
export * from './truth/index';
export * from './geometry/index';
export * from './text/index';
export * from './standing/index';
export * from './rates/index';

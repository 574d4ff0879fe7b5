export * from './errors';
export * from './health';
export * from './auth';
export * from './media';
export * from './catalogue';

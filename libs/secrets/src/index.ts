export * from './secret-box';
export * from './encryption-keys.config';
export * from './secret-names';
export * from './reseal';

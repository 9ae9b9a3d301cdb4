export * from './problem-details';
export * from './problem-details.filter';
export * from './validation';
export * from './etag';
export * from './request-context';
export * from './idempotency.interceptor';
export * from './configure-http-app';
export * from './uuid-param.pipe';

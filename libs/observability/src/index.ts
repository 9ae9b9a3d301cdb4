export * from './observed-service';
export * from './service-status';
export * from './process-metrics';
export * from './observability.module';

export * from './kafka-message.codec';
export * from './kafka.transport';
export * from './kafka-messaging.module';

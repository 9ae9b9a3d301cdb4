export * from './kafka-message.codec';
export * from './kafka.transport';

export * from './event-store.types';
export * from './decider';
export * from './command-metadata';
export { eventStoreSchemaSql, eventStoreDropSql } from './event-store.schema';
export { CreateEventStore1732000000000, EVENT_STORE_MIGRATIONS } from './create-event-store.migration';
export {
  EventStore,
  type AppendResult,
  type AppendOptions,
  type EventStoreOptions,
  type ReadAllOptions,
  type ReadStreamOptions,
} from './event-store';
export { handleCommand, type HandleCommandOptions, type HandleCommandResult } from './handle-command';
export { commandEventId, nameBasedUuid } from './event-id';
export {
  DEFAULT_SERVICE_LINGER_MS,
  serviceSubscriptionTiming,
  Subscription,
  type ServiceSubscriptionTiming,
  type SubscriptionHandler,
  type SubscriptionOptions,
} from './subscription';
export { projectionHandler, projectionSubscriptionName, rebuildProjection, RebuildInProgressError, type Projection, type RebuildProjectionOptions } from './projection';
export { DEFAULT_PG_POOL_TIMEOUTS, pgPoolOf, resilientPgPoolOptions, type PgPoolTimeouts } from './typeorm-pool';
export { isDatabaseUnavailable } from './database-availability';
export { databaseTimeoutKeys, databaseTimeoutsOf } from './database-timeouts.config';
export { subscriptionStatuses, type SubscriptionStatus } from './subscription-status';
export { migrateFromCommandLine, runMigrations, type MigrationList } from './run-migrations';
export * from './backoff';
export { PollLoop, type PollLoopOptions } from './poll-loop';
export { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';
export { forEachConcurrently } from './for-each-concurrently';

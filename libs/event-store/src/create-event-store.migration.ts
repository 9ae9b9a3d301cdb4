import type { MigrationInterface, QueryRunner } from 'typeorm';
import { eventStoreDropSql, eventStoreSchemaSql } from './event-store.schema';

/** TypeORM migration creating `events` and `subscription_checkpoints` (see `eventStoreSchemaSql`). */
export class CreateEventStore1732000000000 implements MigrationInterface {
  name = 'CreateEventStore1732000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(eventStoreSchemaSql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(eventStoreDropSql);
  }
}

/** Every event-store migration, in order; add to the service's DataSource `migrations`. */
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1732000000000];

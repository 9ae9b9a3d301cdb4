import type { MigrationInterface, QueryRunner } from 'typeorm';
import { targetOriginOf } from '../notifications/domain/notification-rule';

/**
 * For the retry window and the per-target circuit breaker:
 * - `deliveries.round_started_at`: when the current round (since queued or manually re-queued) was
 *   first taken up by a worker (its first attempt, or its first postponement by an open circuit); the
 *   retry window counts from it. Null until then: deliveries queued before this migration start their
 *   window at their next attempt.
 * - `deliveries.target_origin`: the target URL's origin (`https://hooks.example.com:8443`), the key of
 *   the circuit breaker, so that all queued deliveries of an unreachable target can be postponed in one
 *   statement. Backfilled with the same function the service uses (`targetOriginOf`).
 */
export class AddDeliveryRoundStartAndTargetOrigin1732000001100 implements MigrationInterface {
  name = 'AddDeliveryRoundStartAndTargetOrigin1732000001100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE deliveries ADD COLUMN round_started_at timestamptz, ADD COLUMN target_origin text`);
    const urls = (await queryRunner.query(`SELECT DISTINCT target_url FROM deliveries`)) as { target_url: string }[];
    for (const { target_url } of urls) {
      await queryRunner.query(`UPDATE deliveries SET target_origin = $2 WHERE target_url = $1`, [target_url, targetOriginOf(target_url)]);
    }
    await queryRunner.query(`ALTER TABLE deliveries ALTER COLUMN target_origin SET NOT NULL`);
    await queryRunner.query(`CREATE INDEX deliveries_target_due_idx ON deliveries (target_origin, next_attempt_at) WHERE status IN ('pending', 'retrying')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX deliveries_target_due_idx');
    await queryRunner.query('ALTER TABLE deliveries DROP COLUMN target_origin, DROP COLUMN round_started_at');
  }
}

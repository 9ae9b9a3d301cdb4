import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps ledger rows up to a page (8,160 bytes) in the table itself, uncompressed (issue 11, point 7:
 * the enqueue benchmark). A typical delivery row is ~3–4 KB (headers, the sealed body, the redacted
 * copy), over PostgreSQL's default 2 KB TOAST threshold: every insert tried to compress the sealed body
 * (ciphertext does not compress) and then moved it out of line, one more heap insert and one more index
 * insert into the TOAST table per delivery. Larger bodies (up to the 1 MiB request limit) are still
 * compressed and moved out of line. Rows already stored are not rewritten.
 */
export class KeepAlertIntakeRowsInline1732000003600 implements MigrationInterface {
  name = 'KeepAlertIntakeRowsInline1732000003600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE alert_intake SET (toast_tuple_target = 8160)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE alert_intake RESET (toast_tuple_target)');
  }
}

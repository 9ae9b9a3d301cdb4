import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { SecretBox } from '@fireline/secrets';
import type { Pool } from 'pg';
import { resealAlertIntake } from '../../ledger/alert-intake.reseal';
import { INCIDENT_PG_POOL, INCIDENT_SECRET_BOX } from '../../../incident-service.tokens';
import { resealIntegrationSecrets } from './reseal-integration-secrets';

/**
 * At start-up, in the background: seals what incident-service still has in plaintext (signing secrets and
 * ledger bodies written before encryption existed) or under an older key (a rotation), and redacts those
 * ledger rows' headers. Reads cope with both meanwhile. Failures are logged, never fatal: the next start
 * tries again, and `reseal-secrets.js` runs the same pass on demand.
 */
@Injectable()
export class SecretsAtRestResealer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IncidentService');
  private running: Promise<void> | null = null;

  constructor(
    @Inject(INCIDENT_PG_POOL) private readonly pool: Pool,
    @Inject(INCIDENT_SECRET_BOX) private readonly box: SecretBox,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.reseal();
  }

  async onModuleDestroy(): Promise<void> {
    await this.running;
  }

  private async reseal(): Promise<void> {
    try {
      const integrations = await resealIntegrationSecrets(this.pool, this.box);
      const intake = await resealAlertIntake(this.pool, this.box);
      if (integrations.resealed + intake.resealed > 0) {
        this.logger.log(`Sealed ${integrations.resealed} integration(s) and ${intake.resealed} ledger row(s) with encryption key ${this.box.currentKeyId}`);
      }
      for (const problem of [...integrations.problems, ...intake.problems]) this.logger.error(`Cannot re-seal ${problem}`);
    } catch (error) {
      this.logger.error(`Re-sealing secrets at start-up failed (retried at the next start): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

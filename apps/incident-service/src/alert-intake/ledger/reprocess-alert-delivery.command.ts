import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { integrationNotFound } from '../integrations/domain/integration.errors';
import { IntegrationRepository } from '../integrations/persistence/integration.repository';
import { deliveryNotFound, deliveryRejected, deliverySenderRedelivers } from './alert-intake.errors';
import { AlertIntakeProcessor, INTAKE_LEASE_MS } from './alert-intake.processor';
import { AlertIntakeRepository, type AlertIntakeView } from './alert-intake.repository';
import { INTAKE_TRANSLATORS } from './alert-intake.translators';

/** `POST /v1/integrations/{id}/deliveries/{deliveryId}/reprocess`: the row as it stands afterwards. */
export class ReprocessAlertDelivery extends Command<AlertIntakeView> {
  constructor(
    readonly integrationId: string,
    readonly deliveryId: string,
  ) {
    super();
  }
}

/**
 * Runs one recorded delivery through `AlertIntakeProcessor` again, now (an operator's "retry" after a
 * failed attempt, instead of waiting for the worker's backoff). Safe to repeat: the alert commands'
 * ids derive from the row id, so a row that was processed appends nothing new and keeps its verdict
 * (the ledger's first writer wins); an unprocessed row (failed, or its request died) is leased for
 * this attempt and gets its verdict. Refused: an unknown or deleted integration, a delivery of another
 * integration (404), a delivery recorded as `rejected`, and deliveries of types without an intake
 * translator — PagerDuty Webhooks v3, whose sender redelivers (409).
 */
@CommandHandler(ReprocessAlertDelivery)
export class ReprocessAlertDeliveryHandler implements ICommandHandler<ReprocessAlertDelivery, AlertIntakeView> {
  constructor(
    private readonly integrations: IntegrationRepository,
    private readonly intake: AlertIntakeRepository,
    private readonly processor: AlertIntakeProcessor,
  ) {}

  async execute({ integrationId, deliveryId }: ReprocessAlertDelivery): Promise<AlertIntakeView> {
    const integration = await this.integrations.findActiveById(integrationId);
    if (!integration) throw integrationNotFound(integrationId);
    const row = await this.intake.findById(deliveryId);
    if (!row || row.integrationId !== integration.id) throw deliveryNotFound(integrationId, deliveryId);
    if (INTAKE_TRANSLATORS[integration.type] === undefined) throw deliverySenderRedelivers(integration.type, deliveryId);
    if (row.verdict === 'rejected') throw deliveryRejected(deliveryId, row.reason);

    const attempt = row.processedAt === null ? ((await this.intake.lease(row.id, INTAKE_LEASE_MS)) ?? row) : row;
    await this.processor.process(attempt, integration.type);
    const shown = await this.intake.findViewById(row.id);
    if (!shown) throw deliveryNotFound(integrationId, deliveryId);
    return shown;
  }
}

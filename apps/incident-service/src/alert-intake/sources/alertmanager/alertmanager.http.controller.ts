import { Public } from '@fireline/auth';
import { Body, Controller, HttpCode, Param, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ValidationError } from '@fireline/errors';
import { uuidParam } from '@fireline/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { headersForLedger } from '../../ledger/alert-intake.repository';
import { IngestAlertmanagerWebhook } from './ingest-alertmanager-webhook.command';
import { AlertmanagerWebhookRequest } from './alertmanager-webhook.request.dto';

/** Stable code of a refused Alertmanager body (400 problem+json, `errors` lists each field). */
export const ALERTMANAGER_INVALID_WEBHOOK = 'ALERTMANAGER.INVALID_WEBHOOK';

/** 200: the delivery is recorded (and, normally, processed). Alertmanager only looks at the status code. */
export class AlertmanagerAcceptedResponse {
  @ApiProperty({ example: 'success' })
  status!: 'success';

  @ApiProperty({ description: 'The delivery in GET /v1/integrations/{id}/deliveries', format: 'uuid' })
  deliveryId!: string;
}

/**
 * `POST /v1/integrations/{id}/alertmanager`: Prometheus Alertmanager's webhook receiver
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config, payload version 4). Configure
 *
 *     webhook_configs:
 *       - url: https://<fireline>/v1/integrations/<id>/alertmanager
 *         send_resolved: true
 *         http_config: { authorization: { type: Bearer, credentials: <the integration's token> } }
 *
 * Answers: 200 `{ status: 'success', deliveryId }` once the delivery is recorded; problem+json
 * otherwise (our own API): 400 malformed JSON or not a version-4 body, 401 missing or wrong token, 404
 * unknown, deleted or non-`alertmanager` integration, 413 oversize. Alertmanager retries only on 5xx
 * (and network errors), so every refusal is a 4xx and never retried.
 */
@ApiTags('alerts')
@Controller('v1/integrations')
export class AlertmanagerHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/alertmanager')
  @Public("Alertmanager webhook receiver: authenticated by the integration's own bearer token")
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a Prometheus Alertmanager webhook delivery (version 4)' })
  @ApiBody({ type: AlertmanagerWebhookRequest })
  @ApiOkResponse({ type: AlertmanagerAcceptedResponse })
  @ApiBadRequestResponse({ description: 'Malformed JSON or not an Alertmanager version-4 body (problem+json)' })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token (problem+json)' })
  @ApiNotFoundResponse({ description: 'No such alertmanager integration (problem+json)' })
  async receive(
    @Param('id', uuidParam('id')) id: string,
    // Validated by the intake (not the global pipe): invalid deliveries are recorded as rejected.
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AlertmanagerAcceptedResponse> {
    const outcome = await this.commands.execute(
      new IngestAlertmanagerWebhook(id, request.headers.authorization, body, headersForLedger(request.headers), new Date()),
    );
    switch (outcome.status) {
      case 'accepted':
        return { status: 'success', deliveryId: outcome.intakeId };
      case 'unauthorized':
        void reply.header('www-authenticate', 'Bearer');
        throw new UnauthorizedException('Missing or invalid bearer token for this integration');
      case 'invalid':
        throw new ValidationError(ALERTMANAGER_INVALID_WEBHOOK, 'Not a valid Alertmanager webhook (version 4) body', outcome.errors, {
          deliveryId: outcome.intakeId,
        });
      default: {
        const _exhaustive: never = outcome;
        throw new Error(`unknown outcome ${String(_exhaustive)}`);
      }
    }
  }
}

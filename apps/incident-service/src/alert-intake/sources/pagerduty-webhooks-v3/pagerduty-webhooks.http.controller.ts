import { Public } from '@fireline/auth';
import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PROBLEM_JSON, problemTypeOf, type ProblemDetails } from '@fireline/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { headersForLedger } from '../../ledger/alert-intake.repository';
import { ReceivePagerDutyWebhook } from './receive-pagerduty-webhook.command';
import { originalContentTypeOf, RAW_BODY_ROUTE } from './pagerduty-raw-body.hook';
import { PagerDutyWebhookResponse } from './pagerduty-webhook.response.dto';

export const PAGERDUTY_WEBHOOK_UNAUTHENTICATED = 'PAGERDUTY_WEBHOOK.INVALID_SIGNATURE';

/**
 * `POST /v1/integrations/{id}/pagerduty-webhooks`: PagerDuty Webhooks v3
 * (https://developer.pagerduty.com/docs/webhooks/v3-overview/) for teams that keep PagerDuty and mirror
 * its incidents into Fireline. Point a PagerDuty webhook subscription at this URL with the id of a
 * `pagerduty-webhooks-v3` integration holding the subscription's signing secret(s). The body is
 * received as raw bytes (see `RawBodyHook`) because `X-PagerDuty-Signature` signs those bytes.
 *
 * 200 with the outcome once the delivery is recorded; 401 when no signature matches (nothing
 * processed); 400 for a malformed body (only after the signature matched); 404 for an unknown
 * integration or one of another type.
 */
@ApiTags('integrations')
@Controller('v1/integrations')
export class PagerDutyWebhooksHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/pagerduty-webhooks')
  @Public('PagerDuty Webhooks v3 receiver: authenticated by X-PagerDuty-Signature')
  @HttpCode(200)
  @RouteConfig({ [RAW_BODY_ROUTE]: true })
  @ApiOperation({ summary: 'Receive a PagerDuty Webhooks v3 delivery (signed with X-PagerDuty-Signature)' })
  @ApiOkResponse({ type: PagerDutyWebhookResponse })
  async receive(
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PagerDutyWebhookResponse | ProblemDetails> {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const headers = headersForLedger({ ...request.headers, 'content-type': originalContentTypeOf(request) });
    const outcome = await this.commands.execute(new ReceivePagerDutyWebhook(id, rawBody, headers, new Date(), request.headers['x-pagerduty-signature']));
    if (outcome.status === 'unauthenticated') {
      void reply.status(401).header('content-type', PROBLEM_JSON);
      return {
        type: problemTypeOf(PAGERDUTY_WEBHOOK_UNAUTHENTICATED),
        title: 'Unauthorized',
        status: 401,
        detail: 'X-PagerDuty-Signature has no v1 signature matching a signing secret of this integration',
        instance: request.url,
        code: PAGERDUTY_WEBHOOK_UNAUTHENTICATED,
      };
    }
    return { result: outcome.result, reason: outcome.reason, deliveryId: outcome.intakeId, incidentId: outcome.incidentId };
  }
}

import { Public } from '@fireline/auth';
import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { headersForLedger } from '../../ledger/alert-intake.repository';
import { IngestEventsV2Event } from './ingest-events-v2-event.command';
import { EventsV2EventRequest } from './events-v2-event.request.dto';
import { EVENTS_V2_REPLY_SHAPE } from './events-v2-reply-shape.hook';
import { EventsV2ThrottlerGuard } from './events-v2-throttler.guard';
import { eventsV2Accepted, EventsV2AcceptedResponse, eventsV2Invalid, EventsV2InvalidResponse, EventsV2ServerErrorResponse, EventsV2ThrottledResponse } from './events-v2.response.dto';

/**
 * `POST /v2/enqueue`, compatible with PagerDuty's Events API v2
 * (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/): point Alertmanager's
 * `pagerduty_configs.url` (or any Events API v2 client) at `<fireline>/v2/enqueue` with the routing key
 * of an `events-v2` integration. Answers in PagerDuty's shapes only, never problem+json (see
 * `EventsV2ReplyShapeHook` for the errors raised before this controller runs). Rate-limited per routing
 * key (`EventsV2ThrottlerGuard`).
 */
@ApiTags('alerts')
@Controller('v2')
export class EventsV2HttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post('enqueue')
  @Public('PagerDuty Events API v2 receiver: authenticated by the routing key in the body')
  @HttpCode(202)
  @RouteConfig({ [EVENTS_V2_REPLY_SHAPE]: true })
  @UseGuards(EventsV2ThrottlerGuard)
  @ApiOperation({ summary: 'Send an alert event (PagerDuty Events API v2)' })
  @ApiBody({ type: EventsV2EventRequest })
  @ApiAcceptedResponse({ type: EventsV2AcceptedResponse })
  @ApiBadRequestResponse({ type: EventsV2InvalidResponse })
  @ApiTooManyRequestsResponse({ type: EventsV2ThrottledResponse })
  @ApiServiceUnavailableResponse({ type: EventsV2ServerErrorResponse, description: 'The database is away; retry after `Retry-After` seconds' })
  async enqueue(
    // Validated by the intake (not the global pipe): invalid events are recorded, and answered in PagerDuty's shape.
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EventsV2AcceptedResponse | EventsV2InvalidResponse> {
    const outcome = await this.commands.execute(new IngestEventsV2Event(body, headersForLedger(request.headers), new Date()));
    if (outcome.status === 'accepted') return eventsV2Accepted(outcome.dedupKey);
    void reply.status(400);
    return eventsV2Invalid(outcome.errors);
  }
}

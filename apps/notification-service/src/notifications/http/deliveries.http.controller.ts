import { Caller, grantsScope, RequireScopes, type Principal } from '@fireline/auth';
import { IdempotencyInterceptorFor, pageLimitOf, uuidParam } from '@fireline/http';
import { ApiTags } from '@nestjs/swagger';
import { Controller, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RetryDelivery } from '../commands/retry-delivery.command';
import { GetDelivery } from '../projections/get-delivery.query';
import { ListDeliveries } from '../projections/list-deliveries.query';
import { withoutResponseExcerpts, type DeliveryPageView, type DeliveryView } from '../projections/delivery.view';
import { ListDeliveriesRequestDto } from './list-deliveries.request.dto';
import { NOTIFICATION_PG_POOL } from '../notification.tokens';

/** Receivers' answers are shown to `notifications:admin` only (`withoutResponseExcerpts`). */
function forCaller(view: DeliveryView, caller: Principal): DeliveryView {
  return grantsScope(caller.scopes, 'notifications:admin') ? view : withoutResponseExcerpts(view);
}

/** The delivery log and manual retry of dead-lettered deliveries. */
@ApiTags('deliveries')
@Controller('v1/deliveries')
@UseInterceptors(IdempotencyInterceptorFor(NOTIFICATION_PG_POOL))
export class DeliveriesHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /** Newest first; `?incidentId=&status=&ruleId=&limit=&cursor=`. */
  @Get()
  @RequireScopes('notifications:read')
  async list(@Query() query: ListDeliveriesRequestDto, @Caller() caller: Principal): Promise<DeliveryPageView> {
    const page = await this.queryBus.execute(new ListDeliveries({ ...query, limit: pageLimitOf(query) }));
    return { ...page, items: page.items.map((view) => forCaller(view, caller)) };
  }

  @Get(':id')
  @RequireScopes('notifications:read')
  async get(@Param('id', uuidParam('id')) id: string, @Caller() caller: Principal): Promise<DeliveryView> {
    return forCaller(await this.queryBus.execute(new GetDelivery(id)), caller);
  }

  /** 202 with the delivery as it now stands; repeating is harmless. 409 if it was delivered. */
  @Post(':id/retry')
  @RequireScopes('notifications:admin')
  @HttpCode(202)
  async retry(@Param('id', uuidParam('id')) id: string, @Caller() caller: Principal): Promise<DeliveryView> {
    await this.commandBus.execute(new RetryDelivery(id));
    return forCaller(await this.queryBus.execute(new GetDelivery(id)), caller);
  }
}

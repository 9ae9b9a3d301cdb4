import { RequireScopes } from '@fireline/auth';
import { pageLimitOf } from '@fireline/http';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ListActionItems } from '../projections/list-action-items.query';
import { ActionItemPageResponseDto, ActionItemResponseDto } from './action-item.response.dto';
import { ListActionItemsRequestDto } from './list-action-items.request.dto';

/** Action items across postmortems, for follow-up (read model: may lag writes by a moment). */
@ApiTags('action-items')
@Controller('v1/action-items')
export class ActionItemsHttpController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @RequireScopes('postmortems:read')
  @ApiOkResponse({ type: ActionItemPageResponseDto })
  async list(@Query() query: ListActionItemsRequestDto): Promise<ActionItemPageResponseDto> {
    const page = await this.queryBus.execute(
      new ListActionItems({
        overdue: query.overdue,
        owner: query.owner,
        status: query.status,
        postmortemId: query.postmortemId,
        incidentId: query.incidentId,
        limit: pageLimitOf(query),
        cursor: query.cursor,
      }),
    );
    return { items: page.items.map((row) => ActionItemResponseDto.fromEntity(row)), nextCursor: page.nextCursor };
  }
}

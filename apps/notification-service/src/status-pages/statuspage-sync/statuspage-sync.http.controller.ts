import { RequireScopes } from '@fireline/auth';
import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { uuidParam } from '@fireline/http';
import { ConfigureStatuspageSync, GetStatuspageSync, RemoveStatuspageSync, type StatuspageSyncView } from './statuspage-sync-config.command';
import { ConfigureStatuspageSyncRequestDto } from './statuspage-sync.request.dto';

/** A status page's optional mirror to an Atlassian Statuspage page (its API key write-only). */
@ApiTags('status page subscribers')
@Controller('v1/status-pages')
export class StatuspageSyncHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /** 200: mirrors the page's next events on. Safe to repeat (PUT). */
  @RequireScopes('status-pages:write')
  @Put(':pageId/statuspage-sync')
  configure(@Param('pageId', uuidParam('pageId')) pageId: string, @Body() body: ConfigureStatuspageSyncRequestDto): Promise<StatuspageSyncView> {
    return this.commandBus.execute(new ConfigureStatuspageSync(pageId, body.statuspagePageId, body.apiKey));
  }

  @RequireScopes('status-pages:read')
  @Get(':pageId/statuspage-sync')
  get(@Param('pageId', uuidParam('pageId')) pageId: string): Promise<StatuspageSyncView> {
    return this.queryBus.execute(new GetStatuspageSync(pageId));
  }

  @RequireScopes('status-pages:write')
  @Delete(':pageId/statuspage-sync')
  @HttpCode(204)
  async remove(@Param('pageId', uuidParam('pageId')) pageId: string): Promise<void> {
    await this.commandBus.execute(new RemoveStatuspageSync(pageId));
  }
}

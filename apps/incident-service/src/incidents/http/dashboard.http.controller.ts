import { RequireScopes } from '@fireline/auth';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetDashboardQuery, type Dashboard } from '../projections/dashboard.query';
import { DashboardRequest } from './incident.request.dto';

/** `GET /v1/dashboard`: open incidents by severity and status, MTTA/MTTR, oldest unacknowledged. */
@ApiTags('dashboard')
@Controller('v1/dashboard')
export class DashboardHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @RequireScopes('incidents:read')
  @ApiOperation({ summary: 'Open incidents, MTTA and MTTR (overall, by severity, by service) over a window' })
  get(@Query() query: DashboardRequest): Promise<Dashboard> {
    return this.queries.execute(new GetDashboardQuery(new Date(), query.windowDays ?? 30, query.autoResolved ?? 'include'));
  }
}

import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

const DATA_SOURCES = ['incident', 'notification', 'postmortem'] as const;

/** Liveness (the process answers) and readiness (every service's database answers `SELECT 1`). */
@ApiTags('health')
@Controller('health')
export class HealthHttpController {
  constructor(private readonly modules: ModuleRef) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: every database answers; 503 otherwise' })
  async ready() {
    const details: Record<string, { status: 'up' | 'down'; error?: string }> = {};
    for (const name of DATA_SOURCES) {
      try {
        const dataSource = this.modules.get<DataSource>(getDataSourceToken(name), { strict: false });
        await dataSource.query('SELECT 1');
        details[`database:${name}`] = { status: 'up' };
      } catch (error) {
        details[`database:${name}`] = { status: 'down', error: error instanceof Error ? error.message : String(error) };
      }
    }
    const ok = Object.values(details).every((d) => d.status === 'up');
    if (!ok) throw new ServiceUnavailableException({ status: 'down', details });
    return { status: 'ok', details };
  }
}

import { MetricsAccess, Public } from '@fireline/auth';
import { Controller, Get, Header, HttpCode, Inject, Module, Res, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { MESSAGE_TRANSPORT, type MessageTransport } from '@fireline/messaging';
import type { Pool } from 'pg';
import type { ObservedService, ProviderLookup } from './observed-service';
import { ProcessMetrics } from './process-metrics';
import { readProcessStatus, type ProcessStatus } from './service-status';

const OBSERVED_SERVICES = Symbol('OBSERVED_SERVICES');

/** The part of Fastify's reply these routes use (passthrough mode). */
interface Reply {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

/** Resolves each observed service's pool once the app's modules exist, then reads their status. */
class ProcessStatusReader implements OnModuleInit {
  private services: { service: ObservedService; pool: Pool; resolve: ProviderLookup }[] = [];

  constructor(
    @Inject(OBSERVED_SERVICES) private readonly observed: readonly ObservedService[],
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    private readonly modules: ModuleRef,
  ) {}

  onModuleInit(): void {
    const resolve: ProviderLookup = <T>(token: string | symbol | (abstract new (...args: never[]) => T)) => this.modules.get<unknown, T>(token as string | symbol, { strict: false });
    this.services = this.observed.map((service) => ({ service, pool: this.modules.get<Pool>(service.poolToken, { strict: false }), resolve }));
  }

  read(): Promise<ProcessStatus> {
    return readProcessStatus(this.services, this.transport);
  }
}

@ApiTags('operations')
@Controller()
class ObservabilityHttpController {
  constructor(
    private readonly status: ProcessStatusReader,
    private readonly metrics: ProcessMetrics,
  ) {}

  @Get('health/live')
  @Public('probe: liveness and readiness carry no data a caller could misuse')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers (Kubernetes livenessProbe)' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 200 when every database answers and the transport is up, else 503 — same body either way:
   * `{ status: 'ok' | 'down', services: [{ name, database, subscriptions, relayBacklog, deadLetters, gauges }], transport: { transport, up, problems, consumerLag, deadLetterTopics, deadLetteredSinceStart } }`.
   */
  @Get('health/ready')
  @Public('probe: liveness and readiness carry no data a caller could misuse')
  @ApiOperation({ summary: 'Readiness (Kubernetes readinessProbe): databases and transport up; details: subscription lag, relay backlog, consumer lag, dead letters. 503 when not ready.' })
  async ready(@Res({ passthrough: true }) reply: Reply): Promise<{ status: 'ok' | 'down' } & Omit<ProcessStatus, 'ready'>> {
    const { ready, ...status } = await this.status.read();
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'down', ...status };
  }

  @Get('metrics')
  @MetricsAccess()
  @ApiProduces('text/plain')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text format 0.0.4): readiness, subscription lag, relay backlog, Kafka consumer lag, dead letters, process' })
  async scrape(@Res({ passthrough: true }) reply: Reply): Promise<string> {
    const body = await this.metrics.render(await this.status.read());
    reply.header('Content-Type', this.metrics.contentType);
    return body;
  }
}

/**
 * `GET /health/live`, `GET /health/ready` and `GET /metrics` for the services of one process. Needs a
 * global `MESSAGE_TRANSPORT` and each service's pool under its `poolToken` somewhere in the app.
 */
@Module({})
export class ObservabilityModule {
  /** @param services the services this process runs (the platform: three; a service alone: one). */
  static register(services: readonly ObservedService[]): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [ObservabilityHttpController],
      providers: [{ provide: OBSERVED_SERVICES, useValue: services }, ProcessStatusReader, { provide: ProcessMetrics, useFactory: () => new ProcessMetrics(services) }],
    };
  }
}

import { RequireScopes, routeDeclarations, type RouteDeclaration } from '@fireline/auth';
import { Controller, Get, Logger, Module, Post } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { PlatformModule } from './platform.module';

const DATABASE = { url: 'postgres://unused@127.0.0.1:1/none', poolSize: 2, migrationsRun: false };
const ENCRYPTION = { current: { id: 'unused', key: Buffer.alloc(32) }, previous: [] };

/** Every route of a module graph, built in preview mode (controllers' metadata only: no database, no instance). */
async function routesOf(module: Parameters<typeof NestFactory.createApplicationContext>[0]): Promise<RouteDeclaration[]> {
  const context = await NestFactory.createApplicationContext(module, { preview: true, logger: false, abortOnError: false });
  try {
    return routeDeclarations(context.get(ModulesContainer));
  } finally {
    await context.close();
  }
}

const describePolicy = (route: RouteDeclaration) =>
  route.policy === undefined ? 'UNDECLARED' : route.policy.kind === 'scopes' ? route.policy.scopes.join(' ') : route.policy.kind === 'public' ? 'public' : 'metrics';

describe('route declarations', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('finds an access policy on every route of the platform (a route without @RequireScopes or @Public fails here)', async () => {
    const routes = await routesOf(
      PlatformModule.register({
        incident: { database: DATABASE, projections: { pollIntervalMs: 100 }, encryption: ENCRYPTION },
        notification: {
          database: DATABASE,
          encryption: ENCRYPTION,
          delivery: { retryWindowMs: 1, maxAttempts: null, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 1, pollIntervalMs: 1, concurrency: 1, circuitBreaker: { failureThreshold: 1, halfOpenAfterMs: 1 } },
        },
        postmortem: { database: DATABASE, postmortemDueHours: 48 },
      }),
    );
    process.stdout.write(`${routes.length} routes:\n${routes.map((route) => `  ${route.method.padEnd(6)} ${route.path.padEnd(62)} ${describePolicy(route)}`).join('\n')}\n`);
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.filter((route) => route.policy === undefined).map((route) => `${route.method} ${route.path} (${route.handler})`)).toEqual([]);
    const publicRoutes = routes.filter((route) => route.policy?.kind === 'public').map((route) => `${route.method} ${route.path}`);
    expect(publicRoutes.sort()).toEqual([
      'GET /health/live',
      'GET /health/ready',
      'GET /status/:slug',
      'GET /status/:slug/api/v2/components.json',
      'GET /status/:slug/api/v2/incidents.json',
      'GET /status/:slug/api/v2/incidents/unresolved.json',
      'GET /status/:slug/api/v2/scheduled-maintenances.json',
      'GET /status/:slug/api/v2/scheduled-maintenances/active.json',
      'GET /status/:slug/api/v2/scheduled-maintenances/upcoming.json',
      'GET /status/:slug/api/v2/status.json',
      'GET /status/:slug/api/v2/summary.json',
      'GET /status/:slug/history.atom',
      'GET /status/:slug/history.rss',
      'POST /v1/integrations/:id/alertmanager',
      'POST /v1/integrations/:id/pagerduty-webhooks',
      'POST /v2/enqueue',
    ]);
    // Status page management: reading needs status-pages:read, every change status-pages:write.
    const management = routes.filter((route) => route.path.startsWith('/v1/status-pages'));
    expect(management.length).toBe(15);
    for (const route of management) expect(`${route.method} ${route.path} ${describePolicy(route)}`).toBe(`${route.method} ${route.path} ${route.method === 'GET' ? 'status-pages:read' : 'status-pages:write'}`);
  });

  it('reports a route that declares nothing, and treats GET under /status as public', async () => {
    @Controller()
    class MixedController {
      @Get('v1/forgotten')
      forgotten() {
        return null;
      }

      @Post('v1/declared')
      @RequireScopes('incidents:write')
      declared() {
        return null;
      }

      @Get('status/:slug')
      statusPage() {
        return null;
      }

      @Post('status/:slug/subscribe')
      subscribe() {
        return null;
      }
    }
    @Module({ controllers: [MixedController] })
    class MixedModule {}

    const routes = await routesOf(MixedModule);
    expect(routes.map((route) => [route.method, route.path, route.policy?.kind ?? 'undeclared'])).toEqual([
      ['GET', '/status/:slug', 'public'],
      ['POST', '/status/:slug/subscribe', 'undeclared'],
      ['POST', '/v1/declared', 'scopes'],
      ['GET', '/v1/forgotten', 'undeclared'],
    ]);
  });
});

import type { OpenAPIObject } from '@nestjs/swagger';
import { applyOpenApiSecurity } from './openapi-security';

const documentWith = (paths: Record<string, Record<string, Record<string, unknown>>>): OpenAPIObject =>
  ({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths }) as unknown as OpenAPIObject;

describe(applyOpenApiSecurity.name, () => {
  it('declares the bearer scheme, each scoped operation’s security and answers, and security: [] on public ones', () => {
    const document = applyOpenApiSecurity(
      documentWith({
        '/v1/incidents': { post: { 'x-required-scopes': ['incidents:write'], responses: {} } },
        '/v2/enqueue': { post: { 'x-public': 'receiver', responses: {} } },
        '/metrics': { get: { 'x-metrics-access': true, responses: {} } },
        '/status/{slug}': { get: { responses: {} }, post: { responses: {} } },
        '/v1/forgotten': { get: { responses: {} } },
      }),
      { metricsPublic: false },
    );
    expect(document.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const op = (path: string, method: string) => (document.paths[path] as Record<string, Record<string, unknown>>)[method]!;
    expect(op('/v1/incidents', 'post')).toMatchObject({ security: [{ bearer: [] }], description: expect.stringContaining('`incidents:write`') });
    expect(Object.keys(op('/v1/incidents', 'post').responses as object)).toEqual(['401', '403', '429']);
    expect(op('/v2/enqueue', 'post').security).toEqual([]);
    expect(op('/metrics', 'get')).toMatchObject({ security: [{ bearer: [] }], 'x-required-scopes': ['admin'] });
    expect(op('/status/{slug}', 'get')).toMatchObject({ security: [], 'x-public': expect.stringContaining('/status/') });
    expect(op('/status/{slug}', 'post').security).toBeUndefined();
    expect(op('/v1/forgotten', 'get').security).toBeUndefined();
  });
});

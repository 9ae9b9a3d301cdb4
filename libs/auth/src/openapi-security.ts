import type { OpenAPIObject } from '@nestjs/swagger';
import { effectivePolicy, OPENAPI_METRICS, OPENAPI_PUBLIC, OPENAPI_REQUIRED_SCOPES } from './auth-policy';
import { API_KEY_PREFIX } from './api-key-token';

/** Name of the bearer security scheme in `/docs-json`. */
export const BEARER_SCHEME = 'bearer';

type Operation = Record<string, unknown> & { description?: string; responses?: Record<string, unknown> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } } });

/**
 * Declares authentication in an OpenAPI document built from Fireline's controllers:
 * - `components.securitySchemes.bearer`: HTTP bearer (a `flk_…` API key or an OIDC JWT), which gives
 *   Swagger UI its Authorize button;
 * - each operation with `x-required-scopes` (`@RequireScopes`): `security: [{ bearer: [] }]`, the
 *   scopes in its description, and its 401 / 403 / 429 answers;
 * - each public operation (`x-public`, `@Public`; `GET /metrics` while `metricsPublic`): `security: []`;
 * - `GET /metrics` without `metricsPublic`: scope `admin`;
 * - a GET or HEAD under `PUBLIC_READ_PREFIXES` (`/status/…`) without a decorator: public, as the guard treats it.
 * An operation with neither stays without `security` (the auth sweep test fails on it).
 */
export function applyOpenApiSecurity(document: OpenAPIObject, options: { metricsPublic: boolean }): OpenAPIObject {
  const components = (document.components ??= {});
  components.securitySchemes = {
    ...components.securitySchemes,
    [BEARER_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: `API key (${API_KEY_PREFIX}…) or OIDC JWT`,
      description: `A Fireline API key (\`${API_KEY_PREFIX}…\`, from \`POST /v1/api-keys\` or \`npm run keys -- create\`) or an OIDC access token from the configured identity provider.`,
    },
  };
  components.schemas = {
    ...components.schemas,
    ProblemDetails: {
      type: 'object',
      description: 'RFC 9457 problem details',
      properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' }, code: { type: 'string' } },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      if (operation[OPENAPI_METRICS] === true) {
        delete operation[OPENAPI_METRICS];
        if (options.metricsPublic) operation[OPENAPI_PUBLIC] = 'Prometheus scrape (METRICS_PUBLIC=true)';
        else operation[OPENAPI_REQUIRED_SCOPES] = ['admin'];
      }
      if (operation[OPENAPI_REQUIRED_SCOPES] === undefined && operation[OPENAPI_PUBLIC] === undefined) {
        const policy = effectivePolicy(undefined, method.toUpperCase(), path);
        if (policy?.kind === 'public') operation[OPENAPI_PUBLIC] = policy.reason;
      }
      const scopes = operation[OPENAPI_REQUIRED_SCOPES];
      const reason = operation[OPENAPI_PUBLIC];
      if (Array.isArray(scopes)) {
        operation.security = [{ [BEARER_SCHEME]: [] }];
        operation.description = `${operation.description ? `${operation.description}\n\n` : ''}**Requires scope** ${scopes.map((scope) => `\`${String(scope)}\``).join(', ')} (or \`admin\`).`;
        operation.responses = {
          ...operation.responses,
          401: problem('AUTH.UNAUTHENTICATED (no credential), AUTH.TOKEN_INVALID, AUTH.TOKEN_EXPIRED, AUTH.KEY_EXPIRED, AUTH.KEY_REVOKED'),
          403: problem(`AUTH.INSUFFICIENT_SCOPE: the credential lacks ${scopes.join(', ')}`),
          429: problem('RATE_LIMIT.EXCEEDED (per credential) or AUTH.TOO_MANY_FAILURES (per client address); see Retry-After'),
        };
      } else if (typeof reason === 'string') {
        operation.security = [];
        operation.description = `${operation.description ? `${operation.description}\n\n` : ''}**Public**: ${reason}.`;
      }
    }
  }
  return document;
}

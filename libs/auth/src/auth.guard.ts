import { Inject, Injectable, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyStores } from './api-key-stores';
import { AUTH_POLICY, effectivePolicy, type AuthPolicy } from './auth-policy';
import { attachPrincipal } from './principal';
import { RequestAuthenticator } from './request-authenticator';

/**
 * The global guard (registered once per process by `AuthModule.forRoot`): reads the handler's
 * `AuthPolicy`, lets `RequestAuthenticator` decide, attaches the principal to the request (read by
 * `requestContextOf` / `@Ctx()` and `principalOf`) and, on authenticated routes, answers with
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Refusals are thrown as
 * `AuthenticationError` / `PermissionError` / `RateLimitedError`, answered as problem+json.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    private readonly stores: ApiKeyStores,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const path = request.routeOptions?.url ?? request.url;
    const policy = effectivePolicy(this.reflector.get<AuthPolicy | undefined>(AUTH_POLICY, context.getHandler()), request.method, path);
    const { principal, rateLimit } = await this.authenticator.authorize(
      policy,
      { method: request.method, path, authorization: request.headers.authorization, clientAddress: request.ip },
      this.stores.forController(context.getClass() as Type),
    );
    attachPrincipal(request, principal);
    if (rateLimit) {
      void reply.header('ratelimit-limit', String(rateLimit.limit)).header('ratelimit-remaining', String(rateLimit.remaining)).header('ratelimit-reset', String(rateLimit.resetS));
    }
    return true;
  }
}

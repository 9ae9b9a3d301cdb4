import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD, ModulesContainer } from '@nestjs/core';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { ApiKeyStores } from './api-key-stores';
import { DEFAULT_AUTH_CONFIG, type AuthConfig } from './auth.config';
import { AuthGuard } from './auth.guard';
import { AuthRateLimits } from './auth-rate-limits';
import { OidcVerifier } from './oidc-verifier';
import { RequestAuthenticator } from './request-authenticator';
import { routeDeclarations } from './route-declarations';

/** Nest injection token of the process's `AuthConfig`. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

const AUTH_THROTTLER_STORAGE = Symbol('AUTH_THROTTLER_STORAGE');

const logger = new Logger('Auth');

/** At boot: says loudly when authentication is off, and names every route that declares no policy. */
@Injectable()
class AuthBootReport implements OnApplicationBootstrap {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly modules: ModulesContainer,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.mode === 'disabled') {
      const bar = '!'.repeat(78);
      logger.warn(`\n${bar}\n  AUTH_MODE=disabled: NO AUTHENTICATION. Anyone who reaches this port may do anything,\n  and every event records the actor "anonymous". For local experiments only.\n${bar}`);
    }
    const undeclared = routeDeclarations(this.modules).filter((route) => route.policy === undefined);
    for (const route of undeclared) logger.error(`${route.method} ${route.path} (${route.handler}) declares neither @RequireScopes nor @Public: it is refused to everyone`);
    if (this.config.oidc) logger.log(`OIDC bearer tokens accepted from ${this.config.oidc.issuer} (audience ${this.config.oidc.audience})`);
  }
}

/**
 * Authentication and authorisation for a whole process: import once, in the root module (the
 * platform, or a service's `AppModule`). Registers `AuthGuard` as the global guard, the rate-limit
 * counters (`@nestjs/throttler`'s in-memory storage, not its global module), and the OIDC verifier
 * when `config.oidc` is set. Each service module provides its own `API_KEY_STORE`.
 */
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig = DEFAULT_AUTH_CONFIG): DynamicModule {
    return {
      module: AuthModule,
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: AUTH_THROTTLER_STORAGE, useClass: ThrottlerStorageService },
        {
          provide: RequestAuthenticator,
          useFactory: (storage: ThrottlerStorageService) =>
            new RequestAuthenticator(
              config,
              new AuthRateLimits(storage, config.rateLimits),
              config.oidc ? new OidcVerifier(config.oidc, (message) => logger.warn(message)) : null,
              { warn: (message) => logger.warn(message), error: (message) => logger.error(message) },
            ),
          inject: [AUTH_THROTTLER_STORAGE],
        },
        ApiKeyStores,
        AuthBootReport,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}

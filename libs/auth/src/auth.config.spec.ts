import { ConfigError, parseEnvironment } from '@fireline/config';
import { authConfigOf, authConfigSchema, DEFAULT_AUTH_CONFIG } from './auth.config';

const load = (env: NodeJS.ProcessEnv) => authConfigOf(parseEnvironment('test', env, { auth: authConfigSchema() }).auth);
const problemsOf = (env: NodeJS.ProcessEnv) => {
  try {
    load(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('authConfigSchema', () => {
  it('defaults to required authentication, API keys only, public metrics', () => {
    expect(load({})).toEqual(DEFAULT_AUTH_CONFIG);
  });

  it('refuses AUTH_MODE=disabled when NODE_ENV=production', () => {
    expect(problemsOf({ AUTH_MODE: 'disabled', NODE_ENV: 'production' })).toEqual(['AUTH_MODE: disabled is refused when NODE_ENV=production']);
    expect(load({ AUTH_MODE: 'disabled', NODE_ENV: 'development' }).mode).toBe('disabled');
  });

  it('needs issuer and audience together, https (or http on localhost), and roles that exist', () => {
    expect(problemsOf({ AUTH_OIDC_ISSUER: 'https://idp.example.com' })).toEqual(['AUTH_OIDC_AUDIENCE: is required when the other of AUTH_OIDC_ISSUER / AUTH_OIDC_AUDIENCE is set']);
    expect(problemsOf({ AUTH_OIDC_ISSUER: 'http://idp.example.com', AUTH_OIDC_AUDIENCE: 'fireline' })).toEqual(['AUTH_OIDC_ISSUER: must be an https:// URL (http:// only for localhost)']);
    expect(problemsOf({ AUTH_OIDC_ISSUER: 'https://idp.example.com', AUTH_OIDC_AUDIENCE: 'fireline', AUTH_OIDC_ROLE_MAP: 'sre=responder,ops=root' })).toEqual([
      'AUTH_OIDC_ROLE_MAP: "ops=root" must be <group>=<viewer|responder|admin>',
    ]);
  });

  it('reads the OIDC settings', () => {
    const config = load({
      AUTH_OIDC_ISSUER: 'http://127.0.0.1:9999/realms/acme',
      AUTH_OIDC_AUDIENCE: 'fireline',
      AUTH_OIDC_ROLES_CLAIM: 'realm_access.roles',
      AUTH_OIDC_ROLE_MAP: 'sre-oncall=responder, platform-admins=admin ,everyone=viewer',
      AUTH_OIDC_CLOCK_SKEW_S: '5',
    });
    expect(config.oidc).toEqual({
      issuer: 'http://127.0.0.1:9999/realms/acme',
      audience: 'fireline',
      jwksUrl: null,
      clockSkewS: 5,
      rolesClaim: 'realm_access.roles',
      scopesClaim: 'scope',
      roleMap: { 'sre-oncall': 'responder', 'platform-admins': 'admin', everyone: 'viewer' },
    });
  });
});

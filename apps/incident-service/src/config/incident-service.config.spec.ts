import { ConfigError } from '@fireline/config';
import { TEST_ENCRYPTION_ENV } from '../../../../test/support/test-secrets';
import { INCIDENT_SERVICE_ENV_KEYS, loadIncidentServiceConfig } from './incident-service.config';

const required = { INCIDENT_DATABASE_URL: 'postgres://u:p@db:5432/incidents', ...TEST_ENCRYPTION_ENV };

describe(`${loadIncidentServiceConfig.name} (POSTMORTEM_REQUIRED_FOR)`, () => {
  it('defaults to SEV1,SEV2,human and parses a list of conditions', () => {
    expect(loadIncidentServiceConfig(required).postmortemPolicy).toEqual(['SEV1', 'SEV2', 'human']);
    expect(loadIncidentServiceConfig({ ...required, POSTMORTEM_REQUIRED_FOR: '' }).postmortemPolicy).toEqual(['SEV1', 'SEV2', 'human']);
    expect(loadIncidentServiceConfig({ ...required, POSTMORTEM_REQUIRED_FOR: 'sev1, human' }).postmortemPolicy).toEqual(['SEV1', 'human']);
    expect(loadIncidentServiceConfig({ ...required, POSTMORTEM_REQUIRED_FOR: 'all' }).postmortemPolicy).toEqual(['all']);
    expect(INCIDENT_SERVICE_ENV_KEYS).toContain('POSTMORTEM_REQUIRED_FOR');
  });

  it('refuses to start on an unknown condition, naming the key and the token', () => {
    const load = () => loadIncidentServiceConfig({ ...required, POSTMORTEM_REQUIRED_FOR: 'SEV1,humans' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/POSTMORTEM_REQUIRED_FOR: unknown condition "humans"/);
  });
});

describe(`${loadIncidentServiceConfig.name} (PROJECTION_LINGER_MS)`, () => {
  it('defaults to 100 ms, takes 0 to turn lingering off, and refuses a negative or absurd value', () => {
    expect(loadIncidentServiceConfig(required).projections).toEqual({ pollIntervalMs: 100, lingerMs: 100 });
    expect(loadIncidentServiceConfig({ ...required, PROJECTION_LINGER_MS: '0' }).projections.lingerMs).toBe(0);
    expect(INCIDENT_SERVICE_ENV_KEYS).toContain('PROJECTION_LINGER_MS');
    for (const bad of ['-1', '60000', 'soon']) {
      expect(() => loadIncidentServiceConfig({ ...required, PROJECTION_LINGER_MS: bad })).toThrow(/PROJECTION_LINGER_MS/);
    }
  });
});

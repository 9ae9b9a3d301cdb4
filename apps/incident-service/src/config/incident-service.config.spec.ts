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

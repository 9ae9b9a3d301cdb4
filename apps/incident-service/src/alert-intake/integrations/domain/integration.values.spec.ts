import { DEFAULT_SEVERITY_MAPPING, severityMappingWith } from './integration.values';

describe('severityMappingWith', () => {
  it('maps critical, error, warning and info to SEV1..SEV4 by default', () => {
    expect(severityMappingWith()).toEqual({ critical: 'SEV1', error: 'SEV2', warning: 'SEV3', info: 'SEV4' });
    expect(severityMappingWith()).toEqual(DEFAULT_SEVERITY_MAPPING);
  });

  it('applies overrides and keeps the default where an override is undefined', () => {
    expect(severityMappingWith({ warning: 'SEV2', info: undefined })).toEqual({ critical: 'SEV1', error: 'SEV2', warning: 'SEV2', info: 'SEV4' });
  });
});

import { credentialHash } from '../../integrations/domain/integration-credentials';
import { eventsV2TrackerOf } from './events-v2-throttler.guard';

describe('eventsV2TrackerOf', () => {
  it('tracks a delivery by the hash of its routing key, never the key itself', () => {
    const key = 'a'.repeat(32);
    expect(eventsV2TrackerOf({ body: { routing_key: key }, ip: '10.0.0.1' })).toBe(`routing-key:${credentialHash(key)}`);
  });

  it('falls back to the client address when the body has no usable routing key', () => {
    for (const body of [undefined, null, [], { routing_key: 42 }, { routing_key: '' }, 'text']) {
      expect(eventsV2TrackerOf({ body, ip: '10.0.0.1' })).toBe('ip:10.0.0.1');
    }
  });
});

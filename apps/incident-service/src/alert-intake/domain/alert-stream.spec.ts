import { randomUUID } from 'node:crypto';
import { nameBasedUuid } from '@fireline/event-store/event-id';
import { alertStreamId } from './alert-stream';

describe(alertStreamId.name, () => {
  it('is alert-<nameBasedUuid(integration:dedupKey)>, the same on every call, for more alerts than it remembers', () => {
    const integrationId = randomUUID();
    const keys = Array.from({ length: 12_000 }, (_, i) => `disk-full/${i}`);
    for (let pass = 0; pass < 2; pass++) {
      for (const key of keys) expect(alertStreamId(integrationId, key)).toBe(`alert-${nameBasedUuid(`${integrationId}:${key}`)}`);
    }
    expect(alertStreamId(randomUUID(), 'disk-full/1')).not.toBe(alertStreamId(integrationId, 'disk-full/1'));
  });
});

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEventsV2Event, validateWithClassValidator } from './events-v2-event.request.dto';

const FIXTURES = resolve(__dirname, '../../../../../../test/fixtures/alertmanager-0.25');
const KEY = 'R'.repeat(32);
const captured = (file: string): Record<string, unknown> => ({
  ...(JSON.parse(readFileSync(resolve(FIXTURES, file), 'utf8')) as { body: Record<string, unknown> }).body,
  routing_key: KEY,
});

/** Values that break (or nearly break) some rule: types, blanks, limits, surrogate pairs, nulls. */
const HOSTILE: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  '\t\n',
  'x',
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(1024),
  'x'.repeat(1025),
  '😀'.repeat(16),
  `${'😀'.repeat(15)}xx`,
  'R'.repeat(31),
  'R'.repeat(33),
  0,
  42,
  true,
  [],
  ['a'],
  [{}],
  [null],
  [{ href: 'https://x', text: 'x' }],
  [{ href: ' ' }],
  [{ href: 'https://x', text: 7 }],
  [{ src: 'https://x', alt: null }],
  [{ src: '' }],
  {},
  { a: 1 },
  'critical',
  'info',
  'fatal',
  'trigger',
  'resolve',
  'acknowledge',
  'escalate',
  '2015-07-17T08:42:58.315+0000',
  '2015-07-17',
  'yesterday',
];

const TOP_LEVEL = ['routing_key', 'event_action', 'dedup_key', 'payload', 'links', 'images', 'client', 'client_url', 'unknown_field'];
const PAYLOAD = ['summary', 'source', 'severity', 'timestamp', 'component', 'group', 'class', 'custom_details'];

/** Every base event with one field (top level or in the payload) set to each hostile value. */
function corpus(): Record<string, unknown>[] {
  const bases = [
    captured('events-v2-trigger.json'),
    captured('events-v2-resolve.json'),
    { routing_key: KEY, event_action: 'trigger', payload: { summary: 'Disk full', source: 'db-1', severity: 'error' } },
    { routing_key: KEY, event_action: 'acknowledge', dedup_key: 'k' },
  ];
  const events: Record<string, unknown>[] = [...bases];
  for (const base of bases) {
    for (const value of HOSTILE) {
      for (const field of TOP_LEVEL) events.push({ ...base, [field]: value });
      const payload = typeof base.payload === 'object' && base.payload !== null ? base.payload : { summary: 's', source: 'x', severity: 'info' };
      for (const field of PAYLOAD) events.push({ ...base, payload: { ...payload, [field]: value } });
    }
  }
  return events;
}

describe('parseEventsV2Event', () => {
  it('answers exactly as the class-validator rules do, on the captured events and every hostile variation of them', async () => {
    const events = corpus();
    let fastAccepted = 0;
    for (const event of events) {
      const expected = await validateWithClassValidator(event);
      const actual = await parseEventsV2Event(event);
      const comparable = (outcome: typeof actual) => (outcome.ok ? { ok: true, event: JSON.parse(JSON.stringify(outcome.event)) as unknown } : outcome);
      expect({ event, outcome: comparable(actual) }).toEqual({ event, outcome: comparable(expected) });
      if (actual.ok && (actual.event as unknown) === event) fastAccepted++;
    }
    expect(events.length).toBeGreaterThan(1_000);
    // The fast path carries most valid events (else it would buy nothing).
    const valid = (await Promise.all(events.map((event) => validateWithClassValidator(event)))).filter((outcome) => outcome.ok).length;
    expect(fastAccepted).toBeGreaterThan(valid * 0.8);
  });

  it('takes the captured Alertmanager deliveries on the fast path: the body itself comes back', async () => {
    for (const body of [captured('events-v2-trigger.json'), captured('events-v2-resolve.json')]) {
      const parsed = await parseEventsV2Event(body);
      expect(parsed.ok && parsed.event).toBe(body);
    }
  });

  it('refuses what is not a JSON object', async () => {
    for (const body of [null, 'text', 42, [captured('events-v2-trigger.json')]]) {
      expect(await parseEventsV2Event(body)).toEqual({ ok: false, errors: ['Event must be a JSON object'] });
    }
  });
});

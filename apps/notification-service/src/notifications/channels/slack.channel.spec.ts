import { INCIDENT_INTEGRATION_EVENT_TYPES_V1 } from '@fireline/contracts';
import { anIncidentDeclared, anIncidentSeverityChanged, anIncidentStatusChanged } from '../testing/incident-event.factory';
import { escapeSlackText, renderSlackMessage } from './slack.channel';

describe('renderSlackMessage', () => {
  it('renders a declared incident with severity emoji, title, status and services', () => {
    const event = anIncidentDeclared({ id: 'inc-1', title: 'Checkout down', severity: 'SEV1', status: 'investigating', services: ['checkout-api', 'payments'] });
    const message = renderSlackMessage(event);

    expect(message.text).toBe(':red_circle: [SEV1] Incident declared: Checkout down (status: investigating; services: checkout-api, payments)');
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: ':red_circle: *SEV1 · Incident declared*\n*Checkout down*' },
      fields: [
        { type: 'mrkdwn', text: '*Status*\ninvestigating' },
        { type: 'mrkdwn', text: '*Services*\ncheckout-api, payments' },
      ],
    });
    expect(message.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'Error rate above 5% on /checkout' } });
    expect(message.blocks[2]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Incident inc-1 · by alice@example.com · ${event.occurredAt}` }],
    });
  });

  it('uses a distinct emoji per severity', () => {
    const emojis = (['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const).map((severity) => renderSlackMessage(anIncidentDeclared({ severity })).text.split(' ')[0]);
    expect(new Set(emojis).size).toBe(4);
  });

  it('describes status and severity changes', () => {
    expect(renderSlackMessage(anIncidentStatusChanged({}, { from: 'investigating', to: 'identified' })).text).toContain('Status changed: investigating → identified');
    expect(renderSlackMessage(anIncidentSeverityChanged({ severity: 'SEV1' })).text).toContain('Severity changed: SEV3 → SEV1');
  });

  it('escapes user text so that it cannot form links or mentions', () => {
    const message = renderSlackMessage(anIncidentDeclared({ title: '<!channel> DB & <https://evil.example|click>' }));
    expect(message.text).toContain('&lt;!channel&gt; DB &amp; &lt;https://evil.example|click&gt;');
    expect(JSON.stringify(message)).not.toMatch(/<!channel>|<https:/);
  });

  it('shows a dash for an incident without services and omits an empty detail section', () => {
    const message = renderSlackMessage(anIncidentStatusChanged({ services: [] }, { note: null }));
    expect(message.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(message.blocks[0]).toMatchObject({ fields: [{ text: expect.any(String) }, { text: '*Services*\n—' }] });
  });

  it('keeps every section text within the Block Kit limit', () => {
    const message = renderSlackMessage(anIncidentDeclared({ title: 'x'.repeat(5_000) }));
    for (const block of message.blocks) {
      if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(3000);
    }
    expect(message.text.length).toBeLessThanOrEqual(3000);
  });

  it('renders every v1 event type', () => {
    const base = anIncidentDeclared();
    const extra: Record<string, unknown> = {
      from: 'SEV2', to: 'SEV1', reason: 'r', note: null, role: 'incident_commander', assignee: 'dana', previousAssignee: null,
      noteId: 'n', text: 't', updateId: 'u', audience: 'external', message: 'm', summary: 's',
    };
    for (const type of INCIDENT_INTEGRATION_EVENT_TYPES_V1) {
      const event = { ...base, type, data: { ...base.data, ...extra } } as Parameters<typeof renderSlackMessage>[0];
      const message = renderSlackMessage(event);
      expect(message.text.length).toBeGreaterThan(0);
      expect(message.blocks.at(-1)?.type).toBe('context');
    }
  });
});

describe('escapeSlackText', () => {
  it('escapes &, < and >', () => {
    expect(escapeSlackText('a & <b> c')).toBe('a &amp; &lt;b&gt; c');
  });
});

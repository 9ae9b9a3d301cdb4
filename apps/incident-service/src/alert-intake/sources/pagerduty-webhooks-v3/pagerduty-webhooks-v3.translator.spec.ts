import { nameBasedUuid } from '@fireline/event-store';
import { mapPagerDutyIncidentEvent, mirroredCommandId, mirroredIncidentId, RESOLVED_IN_PAGERDUTY, severityOfPagerDutyIncident, type PagerDutyMapping } from './pagerduty-webhooks-v3.translator';
import type { PagerDutyWebhookEvent } from './pagerduty-webhook-event';
import { parsePagerDutyWebhook } from './pagerduty-webhook-event';

const integration = { id: '6f1c2b9e-4a1d-4c55-9d7e-0c1b2a3d4e5f', name: 'PagerDuty Payments', service: 'checkout' };
const receivedAt = new Date('2026-11-20T15:00:00.000Z');

function anIncident(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'PDINC1',
    type: 'incident',
    number: 42,
    html_url: 'https://acme.pagerduty.com/incidents/PDINC1',
    title: 'Checkout is down',
    urgency: 'high',
    priority: { summary: 'P1' },
    service: { summary: 'Checkout API' },
    ...overrides,
  };
}

function anEvent(eventType: string, data: Record<string, unknown> = anIncident(), overrides: Partial<PagerDutyWebhookEvent> = {}): PagerDutyWebhookEvent {
  return { id: 'EVT1', eventType, resourceType: 'incident', occurredAt: '2026-11-20T14:02:11.402Z', data, ...overrides };
}

function map(event: PagerDutyWebhookEvent): PagerDutyMapping {
  return mapPagerDutyIncidentEvent({ integration, event, receivedAt, correlationId: 'corr-1' });
}

function commandOf(mapping: PagerDutyMapping) {
  if (mapping.kind !== 'command') throw new Error(`expected a command, got: ${mapping.reason}`);
  return mapping.command;
}

describe('mapPagerDutyIncidentEvent', () => {
  const incidentId = nameBasedUuid(`pagerduty:${integration.id}:PDINC1`);

  it('declares a deterministic incident on incident.triggered', () => {
    const command = commandOf(map(anEvent('incident.triggered')));
    expect(command).toEqual({
      type: 'DeclareIncident',
      data: {
        incidentId,
        title: 'Checkout is down',
        description: 'Mirrored from PagerDuty incident #42 (PDINC1): https://acme.pagerduty.com/incidents/PDINC1',
        severity: 'SEV1',
        services: ['checkout', 'Checkout API'],
        detectionSource: 'pagerduty:PagerDuty Payments',
      },
      metadata: {
        now: new Date('2026-11-20T14:02:11.402Z'),
        actor: `integration:${integration.id}`,
        correlationId: 'corr-1',
        commandId: mirroredCommandId(integration.id, 'EVT1'),
      },
    });
    expect(mirroredIncidentId(integration.id, 'PDINC1')).toBe(incidentId);
  });

  it('keeps one service when PagerDuty names the same one, and uses the delivery time when occurred_at is unreadable', () => {
    const command = commandOf(map(anEvent('incident.triggered', anIncident({ service: { summary: 'checkout' } }), { occurredAt: 'yesterday' })));
    expect(command.type === 'DeclareIncident' && command.data.services).toEqual(['checkout']);
    expect(command.metadata.now).toEqual(receivedAt);
  });

  it('acknowledges, resolves and re-rates the mirrored incident', () => {
    expect(commandOf(map(anEvent('incident.acknowledged')))).toMatchObject({ type: 'AcknowledgeIncident', data: { incidentId } });
    expect(commandOf(map(anEvent('incident.resolved')))).toMatchObject({ type: 'ResolveIncident', data: { incidentId, summary: RESOLVED_IN_PAGERDUTY } });
    expect(commandOf(map(anEvent('incident.priority_updated', anIncident({ priority: { summary: 'P3' } }))))).toMatchObject({
      type: 'ChangeIncidentSeverity',
      data: { incidentId, severity: 'SEV3', reason: 'PagerDuty priority changed to P3' },
    });
    expect(commandOf(map(anEvent('incident.priority_updated', anIncident({ priority: null, urgency: 'low' }))))).toMatchObject({
      data: { severity: 'SEV4', reason: 'PagerDuty priority removed (urgency low)' },
    });
  });

  it('adds the annotation as a note whose id is the event id', () => {
    const note = { id: 'PNOTE1', type: 'incident_note', content: 'Rolled back the deploy', incident: { id: 'PDINC1', type: 'incident_reference' } };
    expect(commandOf(map(anEvent('incident.annotated', note)))).toMatchObject({
      type: 'AddTimelineNote',
      data: { incidentId, noteId: 'EVT1', text: 'Rolled back the deploy' },
    });
    expect(map(anEvent('incident.annotated', { ...note, content: '  ' }))).toEqual({ kind: 'ignore', reason: 'ignored: incident.annotated without note content' });
  });

  it('ignores event types it does not mirror, other resources, and events without an incident id', () => {
    expect(map(anEvent('incident.reassigned'))).toEqual({ kind: 'ignore', reason: 'ignored: event type incident.reassigned is not mirrored' });
    expect(map(anEvent('pagey.ping', {}, { resourceType: 'pagey' })).kind).toBe('ignore');
    expect(map(anEvent('incident.triggered', anIncident(), { resourceType: 'service' }))).toMatchObject({ kind: 'ignore' });
    expect(map(anEvent('incident.triggered', anIncident({ id: undefined })))).toEqual({ kind: 'ignore', reason: 'ignored: incident.triggered without event.data.id' });
  });

  it('cuts an over-long title to the 200 characters an incident allows, and falls back to the PagerDuty id', () => {
    const long = commandOf(map(anEvent('incident.triggered', anIncident({ title: 'x'.repeat(500) }))));
    expect(long.type === 'DeclareIncident' && Array.from(long.data.title)).toHaveLength(200);
    const untitled = commandOf(map(anEvent('incident.triggered', anIncident({ title: '' }))));
    expect(untitled.type === 'DeclareIncident' && untitled.data.title).toBe('PagerDuty incident PDINC1');
  });
});

describe('severityOfPagerDutyIncident', () => {
  it.each([
    [{ priority: { summary: 'P1' } }, 'SEV1'],
    [{ priority: { summary: 'P2' }, urgency: 'low' }, 'SEV2'],
    [{ priority: { summary: 'p3' } }, 'SEV3'],
    [{ priority: { summary: 'P4' } }, 'SEV4'],
    [{ priority: { summary: 'P5' } }, 'SEV4'],
    [{ priority: { summary: 'Critical' }, urgency: 'high' }, 'SEV2'],
    [{ priority: null, urgency: 'high' }, 'SEV2'],
    [{ urgency: 'low' }, 'SEV4'],
    [{}, 'SEV3'],
  ])('maps %j to %s', (incident, severity) => {
    expect(severityOfPagerDutyIncident(incident)).toBe(severity);
  });
});

describe('parsePagerDutyWebhook', () => {
  it('reads the envelope', () => {
    expect(parsePagerDutyWebhook(JSON.parse('{"event":{"id":"E","event_type":"incident.resolved","resource_type":"incident","occurred_at":"2026-01-01T00:00:00Z","data":{"id":"P"}}}'))).toEqual({
      ok: true,
      event: { id: 'E', eventType: 'incident.resolved', resourceType: 'incident', occurredAt: '2026-01-01T00:00:00Z', data: { id: 'P' } },
    });
  });

  it('refuses envelopes without id, type or data', () => {
    expect(parsePagerDutyWebhook([])).toMatchObject({ ok: false, errors: [{ field: 'event' }] });
    const missing = parsePagerDutyWebhook({ event: { id: '', data: [] } });
    expect(missing.ok === false && missing.errors.map((e) => e.field)).toEqual(['event.id', 'event.event_type', 'event.data']);
  });
});

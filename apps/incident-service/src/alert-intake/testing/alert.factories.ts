import type { CommandMetadata } from '@fireline/event-store/command-metadata';
import type { AcknowledgeAlert, AlertDetails, ResolveAlert, TriggerAlert } from '../domain/alert.commands';
import type { AlertAcknowledged, AlertEventBase, AlertMemberResolved, AlertResolved, AlertRetriggered, AlertTriggered } from '../domain/alert.events';

/** Test data for alerts. Defaults describe one alert: integration `int-1`, dedup key `dedup-1`. */
export const TEST_INTEGRATION_ID = 'int-1';
export const TEST_DEDUP_KEY = 'dedup-1';
export const TEST_NOW = new Date('2025-03-01T10:00:00.000Z');
export const TEST_INTEGRATION_ACTOR = `integration:${TEST_INTEGRATION_ID}`;

export function anAlertCommandMetadata(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: TEST_NOW, actor: TEST_INTEGRATION_ACTOR, correlationId: 'intake-1', commandId: 'intake-1', ...overrides };
}

export function someAlertDetails(overrides: Partial<AlertDetails> = {}): AlertDetails {
  return {
    summary: '[FIRING:1] HighErrorRate checkout (critical)',
    source: 'Alertmanager',
    severity: 'critical',
    timestamp: null,
    component: null,
    group: null,
    class: null,
    customDetails: { num_firing: '1' },
    links: [],
    images: [],
    client: 'Alertmanager',
    clientUrl: null,
    ...overrides,
  };
}

export function aTriggerAlertCommand(details: Partial<TriggerAlert['data']> = {}, metadata: Partial<CommandMetadata> = {}): TriggerAlert {
  return {
    type: 'TriggerAlert',
    data: { integrationId: TEST_INTEGRATION_ID, dedupKey: TEST_DEDUP_KEY, ...someAlertDetails(), ...details },
    metadata: anAlertCommandMetadata(metadata),
  };
}

export function anAcknowledgeAlertCommand(metadata: Partial<CommandMetadata> = {}): AcknowledgeAlert {
  return { type: 'AcknowledgeAlert', data: { integrationId: TEST_INTEGRATION_ID, dedupKey: TEST_DEDUP_KEY }, metadata: anAlertCommandMetadata(metadata) };
}

export function aResolveAlertCommand(summary: string | null = null, metadata: Partial<CommandMetadata> = {}, fingerprint?: string): ResolveAlert {
  return {
    type: 'ResolveAlert',
    data: { integrationId: TEST_INTEGRATION_ID, dedupKey: TEST_DEDUP_KEY, summary, ...(fingerprint !== undefined ? { fingerprint } : {}) },
    metadata: anAlertCommandMetadata(metadata),
  };
}

function eventBase(overrides: Partial<AlertEventBase> = {}): AlertEventBase {
  return { integrationId: TEST_INTEGRATION_ID, dedupKey: TEST_DEDUP_KEY, incarnation: 1, at: TEST_NOW.toISOString(), by: TEST_INTEGRATION_ACTOR, ...overrides };
}

export function anAlertTriggered(overrides: Partial<AlertTriggered['data']> = {}): AlertTriggered {
  return { type: 'AlertTriggered', data: { ...someAlertDetails(), ...eventBase(), ...overrides } };
}

export function anAlertRetriggered(overrides: Partial<AlertRetriggered['data']> = {}): AlertRetriggered {
  const details = someAlertDetails();
  return { type: 'AlertRetriggered', data: { ...eventBase(), triggerCount: 2, summary: details.summary, severity: details.severity, ...overrides } };
}

export function anAlertAcknowledged(overrides: Partial<AlertAcknowledged['data']> = {}): AlertAcknowledged {
  return { type: 'AlertAcknowledged', data: { ...eventBase(), ...overrides } };
}

export function anAlertResolved(overrides: Partial<AlertResolved['data']> = {}): AlertResolved {
  return { type: 'AlertResolved', data: { ...eventBase(), summary: null, ...overrides } };
}

export function anAlertMemberResolved(overrides: Partial<AlertMemberResolved['data']> = {}): AlertMemberResolved {
  return { type: 'AlertMemberResolved', data: { ...eventBase(), fingerprint: 'fp-1', summary: null, stillFiring: 1, ...overrides } };
}

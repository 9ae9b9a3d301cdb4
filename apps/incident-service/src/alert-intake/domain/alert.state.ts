import type { AlertEvent } from './alert.events';
import type { AlertSeverity } from './alert.values';

/** No trigger yet. */
export interface NoAlert {
  status: 'none';
  incarnation: 0;
}

/** An incarnation that is open (`triggered` or `acknowledged`) or `resolved`. */
export interface Alert {
  status: 'triggered' | 'acknowledged' | 'resolved';
  integrationId: string;
  dedupKey: string;
  /** The current (or, when resolved, the last) incarnation: 1, 2, … */
  incarnation: number;
  summary: string;
  severity: AlertSeverity;
  openedAt: string;
  /** Triggers received in this incarnation (1 on open). */
  triggerCount: number;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  /** Fingerprints of the group members firing in this incarnation (empty for ungrouped alerts). */
  firing: string[];
}

/** Discriminated on `status`. */
export type AlertState = NoAlert | Alert;

export const initialAlertState: NoAlert = Object.freeze({ status: 'none' as const, incarnation: 0 as const });

/** True while an incarnation is open (triggered or acknowledged). */
export function isAlertOpen(state: AlertState): state is Alert & { status: 'triggered' | 'acknowledged' } {
  return state.status === 'triggered' || state.status === 'acknowledged';
}

/**
 * Folds one stored event into the state. Pure. Trusts the stream: an event that cannot apply (e.g. a
 * retrigger with nothing open) leaves the state unchanged.
 */
export function evolveAlert(state: AlertState, event: AlertEvent): AlertState {
  switch (event.type) {
    case 'AlertTriggered': {
      const { integrationId, dedupKey, incarnation, summary, severity, at, fingerprint } = event.data;
      return {
        status: 'triggered',
        integrationId,
        dedupKey,
        incarnation,
        summary,
        severity,
        openedAt: at,
        triggerCount: 1,
        acknowledgedAt: null,
        resolvedAt: null,
        firing: fingerprint !== undefined ? [fingerprint] : [],
      };
    }
    case 'AlertRetriggered': {
      if (!isAlertOpen(state)) return state;
      const { fingerprint } = event.data;
      const firing = fingerprint !== undefined && !state.firing.includes(fingerprint) ? [...state.firing, fingerprint] : state.firing;
      return { ...state, triggerCount: event.data.triggerCount, summary: event.data.summary, severity: event.data.severity, firing };
    }
    case 'AlertMemberResolved':
      if (!isAlertOpen(state)) return state;
      return { ...state, firing: state.firing.filter((fingerprint) => fingerprint !== event.data.fingerprint) };
    case 'AlertAcknowledged':
      if (!isAlertOpen(state)) return state;
      return { ...state, status: 'acknowledged', acknowledgedAt: event.data.at };
    case 'AlertResolved':
      if (!isAlertOpen(state)) return state;
      return { ...state, status: 'resolved', resolvedAt: event.data.at, firing: [] };
    default: {
      const _exhaustive: never = event;
      void _exhaustive;
      return state;
    }
  }
}

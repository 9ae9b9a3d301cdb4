import type { IncidentCommand } from '../../incidents/domain/incident.commands';
import { INCIDENT_LIMITS } from '../../incidents/domain/incident.validation';
import type { AlertMemberResolved, AlertRetriggered } from '../domain/alert.events';
import { clip, commandMetadata, incidentIdIn, type AlertReactionContext, type VersionedAlertEvent } from './alert-incident';

/** Membership notes are `alert-membership:<incarnation>:<alert stream version covered>`. */
export const MEMBERSHIP_NOTE_PREFIX = 'alert-membership:';
export const DEFAULT_MEMBERSHIP_NOTE_WINDOW_MS = 60_000;

/** The fingerprints firing in `incarnation` after the events up to `version`. */
export function firingAt(history: VersionedAlertEvent[], incarnation: number, version: number): Set<string> {
  const firing = new Set<string>();
  for (const { version: v, event } of history) {
    if (v > version || event.data.incarnation !== incarnation) continue;
    const fingerprint = (event.data as { fingerprint?: string }).fingerprint;
    if (fingerprint === undefined) continue;
    if (event.type === 'AlertTriggered' || event.type === 'AlertRetriggered') firing.add(fingerprint);
    if (event.type === 'AlertMemberResolved' || event.type === 'AlertResolved') firing.delete(fingerprint);
  }
  return firing;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Alerts joining or leaving a group incident (`AlertRetriggered` with a fingerprint,
 * `AlertMemberResolved`), summarised: at most one timeline note per incident per
 * `membershipNoteWindowMs` (default 60 s). The note counts the changes since the previous membership
 * note (or since the incident opened) and says how many alerts fire now; changes inside the window are
 * left to the next note or to the resolve. A member resolved by alert expiry is always noted (with why). Nothing when the incarnation has resolved since (one delivery
 * that resolved every alert: the resolve says so, not "1 still firing"). Pure.
 */
export function noteAlertMembershipChanges(event: AlertRetriggered | AlertMemberResolved, context: AlertReactionContext): IncidentCommand[] {
  const history = context.alertHistory ?? [];
  const version = context.version ?? Number.MAX_SAFE_INTEGER;
  const { incarnation, fingerprint } = event.data;
  if (event.type === 'AlertMemberResolved' && event.data.expired) {
    // Expiry is not churn from the source: always noted, outside the window.
    const text = `Alert ${fingerprint} of the group expired (${event.data.summary ?? 'no re-send'}); ${firingAt(history, incarnation, version).size} firing now.`;
    return [
      { type: 'AddTimelineNote', data: { incidentId: incidentIdIn(event, context), noteId: `alert:${context.eventId}`, text: clip(text, INCIDENT_LIMITS.textMax) }, metadata: commandMetadata(event, context) },
    ];
  }
  if (history.some((h) => h.version > version && h.event.type === 'AlertResolved' && h.event.data.incarnation === incarnation)) return [];

  const windowMs = context.membershipNoteWindowMs ?? DEFAULT_MEMBERSHIP_NOTE_WINDOW_MS;
  const previous = context.incidentEvents.findLast(
    (e) => e.type === 'TimelineNoteAdded' && e.data.noteId.startsWith(MEMBERSHIP_NOTE_PREFIX),
  ) as { data: { noteId: string; at: string } } | undefined;
  if (previous !== undefined && Date.parse(event.data.at) - Date.parse(previous.data.at) < windowMs) return [];

  const [previousIncarnation, previousVersion] = (previous?.data.noteId.slice(MEMBERSHIP_NOTE_PREFIX.length).split(':') ?? []).map(Number);
  const coveredUpTo = previousIncarnation === incarnation ? previousVersion : 0;
  const changes = history.filter((h) => h.version > coveredUpTo && h.version <= version && h.event.data.incarnation === incarnation);
  const joined = changes.filter((h) => h.event.type === 'AlertRetriggered' && (h.event.data as { fingerprint?: string }).fingerprint !== undefined).length;
  const resolved = changes.filter((h) => h.event.type === 'AlertMemberResolved').length;
  const firing = firingAt(history, incarnation, version).size;
  const latest = event.type === 'AlertRetriggered' ? `${fingerprint} started firing` : `${fingerprint} resolved`;
  const text =
    `Alert group changed since ${coveredUpTo > 0 ? 'the previous note' : 'the incident opened'}: ` +
    `${plural(joined, 'alert', 'alerts')} started firing, ${resolved} resolved; ${firing} firing now ` +
    `(latest: ${latest}${event.data.summary ? `, ${event.data.summary}` : ''}). ` +
    `Further changes within ${Math.round(windowMs / 1000)} s are summarised in the next note.`;
  return [
    {
      type: 'AddTimelineNote',
      data: { incidentId: incidentIdIn(event, context), noteId: `${MEMBERSHIP_NOTE_PREFIX}${incarnation}:${version}`, text: clip(text, INCIDENT_LIMITS.textMax) },
      metadata: commandMetadata(event, context),
    },
  ];
}

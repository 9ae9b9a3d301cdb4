import type { FieldError } from '@fireline/errors';
import type { IncidentCommand } from './incident.commands';
import { invalidIncidentCommand, resolveRequiresSummary } from './incident.errors';
import { INCIDENT_ROLES, INCIDENT_SEVERITIES, INCIDENT_STATUSES, PUBLIC_STATUS_OVERRIDES, STATUS_UPDATE_AUDIENCES } from './incident.values';

/**
 * Size limits of incident command data, in characters (Unicode code points, as Postgres counts them).
 * The HTTP DTOs should use the same numbers; the domain re-checks because it trusts no caller.
 */
export const INCIDENT_LIMITS = {
  idMax: 200,
  titleMax: 200,
  textMax: 10_000,
  servicesMax: 50,
  serviceMax: 100,
  detectionSourceMax: 100,
  assigneeMax: 200,
} as const;

/**
 * Checks a command's data without looking at any state, and returns it normalized: `title`, `services`,
 * `detectionSource` and `assignee` trimmed; a blank `note` dropped. Free text (description, notes,
 * messages, summaries, reasons) is kept as written, but must not be blank where it is required.
 *
 * @throws ValidationError `INCIDENT.INVALID` listing every bad field (paths relative to `data`,
 *   e.g. `services[2]`), or `INCIDENT.RESOLVE_REQUIRES_SUMMARY` for a status change to `resolved`.
 */
export function validateIncidentCommand(command: IncidentCommand): IncidentCommand {
  if (typeof command.data !== 'object' || command.data === null) {
    throw invalidIncidentCommand([{ field: 'data', message: 'must be an object' }]);
  }
  const errors: FieldError[] = [];
  const normalized = normalize(command, errors);
  if (errors.length > 0) throw invalidIncidentCommand(errors);
  if (normalized.type === 'ChangeIncidentStatus' && normalized.data.status === 'resolved') throw resolveRequiresSummary();
  return normalized;
}

function normalize(command: IncidentCommand, errors: FieldError[]): IncidentCommand {
  const incidentId = requiredText(errors, 'incidentId', command.data.incidentId, INCIDENT_LIMITS.idMax);
  switch (command.type) {
    case 'DeclareIncident': {
      const { data } = command;
      return {
        ...command,
        data: {
          incidentId,
          title: requiredText(errors, 'title', data.title, INCIDENT_LIMITS.titleMax, { trim: true }),
          description: anyText(errors, 'description', data.description, INCIDENT_LIMITS.textMax),
          severity: oneOf(errors, 'severity', data.severity, INCIDENT_SEVERITIES),
          services: serviceList(errors, 'services', data.services),
          detectionSource: requiredText(errors, 'detectionSource', data.detectionSource, INCIDENT_LIMITS.detectionSourceMax, {
            trim: true,
          }),
        },
      };
    }
    case 'AcknowledgeIncident':
      return { ...command, data: { incidentId } };
    case 'CloseIncident': {
      const reason: unknown = command.data.reason;
      if (reason === undefined) return { ...command, data: { incidentId } };
      if (typeof reason !== 'object' || reason === null) {
        errors.push({ field: 'reason', message: 'must be an object' });
        return { ...command, data: { incidentId } };
      }
      const { code, text } = reason as { code?: unknown; text?: unknown };
      if (code !== 'postmortem_not_required') errors.push({ field: 'reason.code', message: 'must be postmortem_not_required' });
      return { ...command, data: { incidentId, reason: { code: 'postmortem_not_required', text: requiredText(errors, 'reason.text', text, INCIDENT_LIMITS.textMax) } } };
    }
    case 'ChangeIncidentStatus': {
      const note = optionalText(errors, 'note', command.data.note, INCIDENT_LIMITS.textMax);
      return {
        ...command,
        data: {
          incidentId,
          status: oneOf(errors, 'status', command.data.status, INCIDENT_STATUSES),
          ...(note === undefined ? {} : { note }),
        },
      };
    }
    case 'ChangeIncidentSeverity':
      return {
        ...command,
        data: {
          incidentId,
          severity: oneOf(errors, 'severity', command.data.severity, INCIDENT_SEVERITIES),
          reason: requiredText(errors, 'reason', command.data.reason, INCIDENT_LIMITS.textMax),
        },
      };
    case 'AssignIncidentRole':
      return {
        ...command,
        data: {
          incidentId,
          role: oneOf(errors, 'role', command.data.role, INCIDENT_ROLES),
          assignee: requiredText(errors, 'assignee', command.data.assignee, INCIDENT_LIMITS.assigneeMax, { trim: true }),
        },
      };
    case 'AddTimelineNote':
      return {
        ...command,
        data: {
          incidentId,
          noteId: requiredText(errors, 'noteId', command.data.noteId, INCIDENT_LIMITS.idMax),
          text: requiredText(errors, 'text', command.data.text, INCIDENT_LIMITS.textMax),
        },
      };
    case 'PostStatusUpdate': {
      const audience = oneOf(errors, 'audience', command.data.audience, STATUS_UPDATE_AUDIENCES);
      const { publicStatus } = command.data;
      if (publicStatus !== undefined) {
        oneOf(errors, 'publicStatus', publicStatus, PUBLIC_STATUS_OVERRIDES);
        if (audience !== 'external') errors.push({ field: 'publicStatus', message: 'is only allowed on external updates' });
      }
      return {
        ...command,
        data: {
          incidentId,
          updateId: requiredText(errors, 'updateId', command.data.updateId, INCIDENT_LIMITS.idMax),
          audience,
          message: requiredText(errors, 'message', command.data.message, INCIDENT_LIMITS.textMax),
          ...(publicStatus === undefined ? {} : { publicStatus }),
        },
      };
    }
    case 'ResolveIncident':
      return {
        ...command,
        data: { incidentId, summary: requiredText(errors, 'summary', command.data.summary, INCIDENT_LIMITS.textMax) },
      };
    case 'ReopenIncident':
      return {
        ...command,
        data: { incidentId, reason: requiredText(errors, 'reason', command.data.reason, INCIDENT_LIMITS.textMax) },
      };
    default: {
      const _exhaustive: never = command;
      throw invalidIncidentCommand([{ field: 'type', message: `unknown command type ${String((_exhaustive as { type?: unknown }).type)}` }]);
    }
  }
}

/** Length in Unicode code points, so that an emoji counts once. */
function lengthOf(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

/** A string that must not be blank; trimmed when `trim`, else returned as written. */
function requiredText(errors: FieldError[], field: string, value: unknown, max: number, options: { trim?: boolean } = {}): string {
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return '';
  }
  if (value.trim().length === 0) {
    errors.push({ field, message: 'must not be blank' });
    return '';
  }
  const result = options.trim ? value.trim() : value;
  if (lengthOf(result) > max) errors.push({ field, message: `must be at most ${max} characters` });
  return result;
}

/** A string that may be empty. */
function anyText(errors: FieldError[], field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return '';
  }
  if (lengthOf(value) > max) errors.push({ field, message: `must be at most ${max} characters` });
  return value;
}

/** Absent, `null` or blank means "none" (`undefined`). */
function optionalText(errors: FieldError[], field: string, value: unknown, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.push({ field, message: 'must be a string' });
    return undefined;
  }
  if (value.trim().length === 0) return undefined;
  if (lengthOf(value) > max) errors.push({ field, message: `must be at most ${max} characters` });
  return value;
}

function oneOf<T extends string>(errors: FieldError[], field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  errors.push({ field, message: `must be one of ${allowed.join(', ')}` });
  return allowed[0];
}

/** 0..servicesMax distinct, non-blank names, each trimmed and at most serviceMax characters. */
function serviceList(errors: FieldError[], field: string, value: unknown): string[] {
  if (!Array.isArray(value)) {
    errors.push({ field, message: 'must be an array of strings' });
    return [];
  }
  if (value.length > INCIDENT_LIMITS.servicesMax) {
    errors.push({ field, message: `must have at most ${INCIDENT_LIMITS.servicesMax} entries` });
  }
  const firstIndexOf = new Map<string, number>();
  return value.map((item: unknown, index) => {
    const name = requiredText(errors, `${field}[${index}]`, item, INCIDENT_LIMITS.serviceMax, { trim: true });
    const first = firstIndexOf.get(name);
    if (name !== '' && first !== undefined) errors.push({ field: `${field}[${index}]`, message: `duplicates ${field}[${first}]` });
    else firstIndexOf.set(name, index);
    return name;
  });
}

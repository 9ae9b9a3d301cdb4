import type { FieldError } from '@fireline/errors';
import type { ComponentImpact, StatusPageCommand } from './status-page.commands';
import { invalidStatusPageCommand } from './status-page.errors';
import type { IncidentFacts } from './public-incident-facts';
import { COMPONENT_STATUSES, ISO_INSTANT_PATTERN, isValidTimeZone, PUBLIC_INCIDENT_STATUSES, SLUG_PATTERN, STATUS_PAGE_LIMITS as L } from './status-page.values';

/**
 * Checks a command's data without looking at state and returns it normalized (names trimmed, optional
 * fields defaulted). The HTTP DTOs check the same limits; the domain re-checks because it trusts no caller.
 * @throws ValidationError `STATUS_PAGE.INVALID` listing every bad field.
 */
export function validateStatusPageCommand(command: StatusPageCommand): StatusPageCommand {
  if (typeof command.data !== 'object' || command.data === null) throw invalidStatusPageCommand([{ field: 'data', message: 'must be an object' }]);
  const errors: FieldError[] = [];
  const v = new Checks(errors);
  const pageId = v.text('pageId', command.data.pageId, L.idMax);
  const normalized = normalize(command, pageId, v);
  if (errors.length > 0) throw invalidStatusPageCommand(errors);
  return normalized;
}

function normalize(command: StatusPageCommand, pageId: string, v: Checks): StatusPageCommand {
  switch (command.type) {
    case 'CreateStatusPage': {
      const d = command.data;
      const slug = v.text('slug', d.slug, L.slugMax);
      if (slug !== '' && !SLUG_PATTERN.test(slug)) v.fail('slug', 'must be lower-case letters, digits and inner hyphens (e.g. checkout-eu)');
      return {
        ...command,
        data: {
          pageId,
          slug,
          name: v.text('name', d.name, L.nameMax, true),
          timeZone: v.timeZone('timeZone', d.timeZone),
          description: v.optionalText('description', d.description, L.descriptionMax) ?? '',
          url: v.url('url', d.url),
        },
      };
    }
    case 'UpdateStatusPage': {
      const d = command.data;
      return {
        ...command,
        data: {
          pageId,
          ...(d.name === undefined ? {} : { name: v.text('name', d.name, L.nameMax, true) }),
          ...(d.timeZone === undefined ? {} : { timeZone: v.timeZone('timeZone', d.timeZone) }),
          ...(d.description === undefined ? {} : { description: v.optionalText('description', d.description, L.descriptionMax) ?? '' }),
          ...(d.url === undefined ? {} : { url: v.url('url', d.url) }),
        },
      };
    }
    case 'AddComponentGroup':
      return { ...command, data: { pageId, groupId: v.text('groupId', command.data.groupId, L.idMax), name: v.text('name', command.data.name, L.nameMax, true) } };
    case 'AddComponent':
    case 'UpdateComponent': {
      const d = command.data;
      const componentId = v.text('componentId', d.componentId, L.idMax);
      const adding = command.type === 'AddComponent';
      const name = d.name === undefined && !adding ? undefined : v.text('name', d.name, L.nameMax, true);
      const description = v.optionalText('description', d.description, L.descriptionMax);
      const groupId = d.groupId === undefined || d.groupId === null ? d.groupId : v.text('groupId', d.groupId, L.idMax);
      const showcase = v.optionalBoolean('showcase', d.showcase);
      const onlyShowIfDegraded = v.optionalBoolean('onlyShowIfDegraded', d.onlyShowIfDegraded);
      const data = {
        pageId,
        componentId,
        ...(name === undefined ? {} : { name }),
        ...(description === undefined ? {} : { description }),
        ...(groupId === undefined ? {} : { groupId }),
        ...(showcase === undefined ? {} : { showcase }),
        ...(onlyShowIfDegraded === undefined ? {} : { onlyShowIfDegraded }),
      };
      return adding ? { ...command, data: { ...data, name: name ?? '' } } : { ...command, type: 'UpdateComponent', data };
    }
    case 'RemoveComponent':
      return { ...command, data: { pageId, componentId: v.text('componentId', command.data.componentId, L.idMax) } };
    case 'SetComponentStatus':
      return {
        ...command,
        data: { pageId, componentId: v.text('componentId', command.data.componentId, L.idMax), status: v.oneOf('status', command.data.status, COMPONENT_STATUSES) },
      };
    case 'PublishIncident':
      return {
        ...command,
        data: {
          pageId,
          incidentId: v.text('incidentId', command.data.incidentId, L.idMax),
          name: v.text('name', command.data.name, L.maintenanceNameMax, true),
          impacts: v.impacts('impacts', command.data.impacts),
          incident: v.facts('incident', command.data.incident),
        },
      };
    case 'ChangePublishedIncident': {
      const d = command.data;
      return {
        ...command,
        data: {
          pageId,
          incidentId: v.text('incidentId', d.incidentId, L.idMax),
          ...(d.name === undefined ? {} : { name: v.text('name', d.name, L.maintenanceNameMax, true) }),
          ...(d.impacts === undefined ? {} : { impacts: v.impacts('impacts', d.impacts) }),
        },
      };
    }
    case 'SyncPublishedIncident':
      return {
        ...command,
        data: { pageId, incidentId: v.text('incidentId', command.data.incidentId, L.idMax), incident: v.facts('incident', command.data.incident) },
      };
    case 'UnpublishIncident':
      return { ...command, data: { pageId, incidentId: v.text('incidentId', command.data.incidentId, L.idMax) } };
    case 'ScheduleMaintenance': {
      const d = command.data;
      const scheduledFor = v.instant('scheduledFor', d.scheduledFor);
      const scheduledUntil = v.instant('scheduledUntil', d.scheduledUntil);
      if (scheduledFor && scheduledUntil) {
        const lengthMs = Date.parse(scheduledUntil) - Date.parse(scheduledFor);
        const now = command.metadata.now.getTime();
        if (lengthMs <= 0) v.fail('scheduledUntil', 'must be after scheduledFor');
        else if (lengthMs > L.maintenanceMaxDays * 86_400_000) v.fail('scheduledUntil', `must be at most ${L.maintenanceMaxDays} days after scheduledFor`);
        if (Date.parse(scheduledUntil) <= now) v.fail('scheduledUntil', 'must be in the future');
        if (Date.parse(scheduledFor) > now + L.scheduleAheadMaxDays * 86_400_000) v.fail('scheduledFor', `must be at most ${L.scheduleAheadMaxDays} days ahead`);
      }
      return {
        ...command,
        data: {
          pageId,
          maintenanceId: v.text('maintenanceId', d.maintenanceId, L.idMax),
          name: v.text('name', d.name, L.maintenanceNameMax, true),
          message: v.text('message', d.message, L.bodyMax),
          scheduledFor,
          scheduledUntil,
          componentIds: v.idList('componentIds', d.componentIds),
          autoStart: v.optionalBoolean('autoStart', d.autoStart) ?? true,
          autoComplete: v.optionalBoolean('autoComplete', d.autoComplete) ?? true,
        },
      };
    }
    case 'AdvanceMaintenance': {
      const d = command.data;
      const message = v.optionalText('message', d.message, L.bodyMax);
      return {
        ...command,
        data: {
          pageId,
          maintenanceId: v.text('maintenanceId', d.maintenanceId, L.idMax),
          status: v.oneOf('status', d.status, ['in_progress', 'verifying', 'completed'] as const),
          ...(message === undefined || message.trim() === '' ? {} : { message }),
          automatic: v.optionalBoolean('automatic', d.automatic) ?? false,
        },
      };
    }
    case 'PostMaintenanceUpdate':
      return {
        ...command,
        data: {
          pageId,
          maintenanceId: v.text('maintenanceId', command.data.maintenanceId, L.idMax),
          updateId: v.text('updateId', command.data.updateId, L.idMax),
          message: v.text('message', command.data.message, L.bodyMax),
        },
      };
    default: {
      const _never: never = command;
      v.fail('type', `unknown command type ${String((_never as { type?: unknown }).type)}`);
      return command;
    }
  }
}

const STORABLE_MESSAGE = 'must not contain NUL characters or unpaired surrogates';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** PostgreSQL `jsonb` cannot hold NUL, and a lone surrogate is no Unicode text: refused, never a 500. */
function storable(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** Length in Unicode code points. */
function lengthOf(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

class Checks {
  constructor(private readonly errors: FieldError[]) {}

  fail(field: string, message: string): void {
    this.errors.push({ field, message });
  }

  /** A non-blank string of at most `max` code points (trimmed when `trim`), without NUL or lone surrogates. */
  text(field: string, value: unknown, max: number, trim = false): string {
    if (typeof value !== 'string') {
      this.fail(field, 'must be a string');
      return '';
    }
    if (!storable(value)) {
      this.fail(field, STORABLE_MESSAGE);
      return '';
    }
    if (value.trim() === '') {
      this.fail(field, 'must not be blank');
      return '';
    }
    const result = trim ? value.trim() : value;
    if (lengthOf(result) > max) this.fail(field, `must be at most ${max} characters`);
    return result;
  }

  optionalText(field: string, value: unknown, max: number): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.fail(field, 'must be a string');
      return undefined;
    }
    if (!storable(value)) this.fail(field, STORABLE_MESSAGE);
    if (lengthOf(value) > max) this.fail(field, `must be at most ${max} characters`);
    return value;
  }

  optionalBoolean(field: string, value: unknown): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(field, 'must be a boolean');
    return value === true;
  }

  oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.fail(field, `must be one of ${allowed.join(', ')}`);
    return allowed[0];
  }

  timeZone(field: string, value: unknown): string {
    const zone = this.text(field, value, 64);
    if (zone !== '' && !isValidTimeZone(zone)) this.fail(field, 'must be an IANA time zone such as Europe/Berlin or UTC');
    return zone;
  }

  /** `null`/absent → null; else an absolute http(s) URL. */
  url(field: string, value: unknown): string | null {
    if (value === undefined || value === null || value === '') return null;
    const text = this.text(field, value, 500);
    let parsed: URL | null = null;
    try {
      parsed = new URL(text);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) this.fail(field, 'must be an absolute http(s) URL');
    return text;
  }

  /** An ISO-8601 date-time with a zone, returned as ISO-8601 UTC. */
  instant(field: string, value: unknown): string {
    if (typeof value !== 'string' || !ISO_INSTANT_PATTERN.test(value) || Number.isNaN(Date.parse(value))) {
      this.fail(field, 'must be an ISO-8601 date-time with a time zone, e.g. 2026-03-01T22:00:00Z');
      return '';
    }
    return new Date(value).toISOString();
  }

  idList(field: string, value: unknown): string[] {
    if (!Array.isArray(value)) {
      this.fail(field, 'must be an array of ids');
      return [];
    }
    if (value.length > 100) this.fail(field, 'must have at most 100 entries');
    const ids = value.slice(0, 100).map((id, index) => this.text(`${field}[${index}]`, id, 200));
    if (new Set(ids).size !== ids.length) this.fail(field, 'must not repeat an id');
    return ids;
  }

  impacts(field: string, value: unknown): ComponentImpact[] {
    if (!Array.isArray(value)) {
      this.fail(field, 'must be an array of { componentId, status }');
      return [];
    }
    if (value.length > 100) this.fail(field, 'must have at most 100 entries');
    const impacts = value.slice(0, 100).map((item: unknown, index) => {
      const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      return {
        componentId: this.text(`${field}[${index}].componentId`, entry.componentId, 200),
        status: this.oneOf(`${field}[${index}].status`, entry.status, COMPONENT_STATUSES),
      };
    });
    if (new Set(impacts.map((impact) => impact.componentId)).size !== impacts.length) this.fail(field, 'must not name a component twice');
    return impacts;
  }

  /** Facts come from our own stream reader; checked for shape so that a bug cannot store garbage. */
  facts(field: string, value: unknown): IncidentFacts {
    const facts = value as IncidentFacts;
    const ok =
      typeof facts === 'object' &&
      facts !== null &&
      typeof facts.incidentId === 'string' &&
      typeof facts.title === 'string' &&
      typeof facts.declaredAt === 'string' &&
      typeof facts.resolved === 'boolean' &&
      Array.isArray(facts.updates) &&
      facts.updates.every((u) => typeof u.sourceId === 'string' && typeof u.body === 'string' && typeof u.at === 'string' && PUBLIC_INCIDENT_STATUSES.includes(u.status));
    if (!ok) this.fail(field, 'must be the incident facts read from its stream');
    return facts;
  }
}

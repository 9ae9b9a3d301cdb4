import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import {
  Allow,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  isISO8601,
  Length,
  length,
  Matches,
  MaxLength,
  validate,
  ValidateIf,
  ValidateNested,
  type ValidationError as ClassValidatorError,
} from 'class-validator';
import { z } from 'zod';
import { ALERT_LIMITS, ALERT_SEVERITIES, type AlertSeverity } from '../../domain/alert.values';
import { EVENT_ACTIONS, type EventAction, type EventsV2Event, type EventsV2Image, type EventsV2Link, type EventsV2Payload } from './events-v2-event';

/*
 * The PagerDuty Events API v2 event, as sent to `POST /v2/enqueue`:
 * https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (also …/acknowledge-events/,
 * …/resolve-events/, and the API reference https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty).
 * Field names are PagerDuty's (snake_case). Messages imitate PagerDuty's `errors` strings, because
 * senders (Alertmanager, Grafana, Datadog…) log them verbatim. Unknown fields are ignored, as PagerDuty does.
 */

const notBlank = /\S/;
// class-validator runs a property's decorators bottom-up and stops at the first failure
// (`stopAtFirstError`): the type check (`@IsString`) is therefore the last decorator of each stack.
const quoted = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** `links[]`: a link shown with the alert. */
export class EventsV2LinkRequest implements EventsV2Link {
  @Matches(notBlank, { message: "'links[].href' is missing or blank" })
  @IsString({ message: "'links[].href' must be a string" })
  href!: string;

  @IsOptional()
  @IsString({ message: "'links[].text' must be a string" })
  text?: string;
}

/** `images[]`: an image shown with the alert. */
export class EventsV2ImageRequest implements EventsV2Image {
  @Matches(notBlank, { message: "'images[].src' is missing or blank" })
  @IsString({ message: "'images[].src' must be a string" })
  src!: string;

  @IsOptional()
  @IsString({ message: "'images[].href' must be a string" })
  href?: string;

  @IsOptional()
  @IsString({ message: "'images[].alt' must be a string" })
  alt?: string;
}

/** `payload`: what the alert is about (required on trigger). */
export class EventsV2PayloadRequest implements EventsV2Payload {
  @ApiProperty({ maxLength: 1024, example: '[FIRING:2] HighErrorRate checkout (critical)' })
  @Matches(notBlank, { message: "'payload.summary' is missing or blank" })
  @MaxLength(ALERT_LIMITS.summaryMax, { message: `'payload.summary' is longer than ${ALERT_LIMITS.summaryMax} characters` })
  @IsString({ message: "'payload.summary' is missing or blank" })
  summary!: string;

  @ApiProperty({ example: 'Alertmanager' })
  @Matches(notBlank, { message: "'payload.source' is missing or blank" })
  @MaxLength(ALERT_LIMITS.textMax, { message: `'payload.source' is longer than ${ALERT_LIMITS.textMax} characters` })
  @IsString({ message: "'payload.source' is missing or blank" })
  source!: string;

  @ApiProperty({ enum: ALERT_SEVERITIES })
  @IsIn(ALERT_SEVERITIES, { message: `'payload.severity' is invalid (must be one of the following: ${quoted(ALERT_SEVERITIES)})` })
  severity!: AlertSeverity;

  @ApiPropertyOptional({ example: '2015-07-17T08:42:58.315+0000' })
  @IsOptional()
  @IsISO8601({}, { message: "'payload.timestamp' is not a valid ISO 8601 timestamp" })
  timestamp?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(ALERT_LIMITS.textMax, { message: `'payload.component' is longer than ${ALERT_LIMITS.textMax} characters` })
  @IsString({ message: "'payload.component' must be a string" })
  component?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(ALERT_LIMITS.textMax, { message: `'payload.group' is longer than ${ALERT_LIMITS.textMax} characters` })
  @IsString({ message: "'payload.group' must be a string" })
  group?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @MaxLength(ALERT_LIMITS.textMax, { message: `'payload.class' is longer than ${ALERT_LIMITS.textMax} characters` })
  @IsString({ message: "'payload.class' must be a string" })
  class?: string;

  /** Any JSON (Alertmanager sends an object of strings). */
  @ApiPropertyOptional({ type: Object })
  @Allow()
  custom_details?: unknown;
}

/** The body of `POST /v2/enqueue`. */
export class EventsV2EventRequest implements EventsV2Event {
  @ApiProperty({ minLength: 32, maxLength: 32, description: 'the integration key of an events-v2 integration' })
  @Length(32, 32, { message: "Length of 'routing_key' is incorrect (should be 32 characters)" })
  @IsString({ message: "'routing_key' is missing or blank" })
  routing_key!: string;

  @ApiProperty({ enum: EVENT_ACTIONS })
  @IsIn(EVENT_ACTIONS, { message: `'event_action' is invalid (must be one of the following: ${quoted(EVENT_ACTIONS)})` })
  event_action!: EventAction;

  @ApiPropertyOptional({ maxLength: 255, description: 'required to acknowledge or resolve; generated for a trigger without one' })
  @ValidateIf((event: EventsV2EventRequest) => event.event_action !== 'trigger' || (event.dedup_key !== undefined && event.dedup_key !== null && event.dedup_key !== ''))
  @Matches(notBlank, { message: "'dedup_key' is missing or blank" })
  @MaxLength(ALERT_LIMITS.dedupKeyMax, { message: `'dedup_key' is longer than ${ALERT_LIMITS.dedupKeyMax} characters` })
  @IsString({ message: "'dedup_key' is missing or blank" })
  dedup_key?: string | null;

  @ApiPropertyOptional({ type: EventsV2PayloadRequest, description: 'required on trigger' })
  @ValidateIf((event: EventsV2EventRequest) => event.event_action === 'trigger')
  @IsObject({ message: "'payload' is missing or not an object" })
  @ValidateNested()
  @Type(() => EventsV2PayloadRequest)
  payload?: EventsV2PayloadRequest;

  @ApiPropertyOptional({ type: [EventsV2LinkRequest] })
  @IsOptional()
  @IsArray({ message: "'links' must be an array" })
  @ValidateNested({ each: true })
  @Type(() => EventsV2LinkRequest)
  links?: EventsV2LinkRequest[];

  @ApiPropertyOptional({ type: [EventsV2ImageRequest] })
  @IsOptional()
  @IsArray({ message: "'images' must be an array" })
  @ValidateNested({ each: true })
  @Type(() => EventsV2ImageRequest)
  images?: EventsV2ImageRequest[];

  @ApiPropertyOptional({ example: 'Alertmanager' })
  @IsOptional()
  @IsString({ message: "'client' must be a string" })
  client?: string;

  @ApiPropertyOptional({ example: 'http://vm:9093/#/alerts?receiver=both' })
  @IsOptional()
  @IsString({ message: "'client_url' must be a string" })
  client_url?: string;
}

/** The outcome of {@link parseEventsV2Event}: the event, or PagerDuty-style error strings. */
export type ParsedEventsV2Event = { ok: true; event: EventsV2EventRequest } | { ok: false; errors: string[] };

function messagesOf(errors: ClassValidatorError[]): string[] {
  return errors.flatMap((error) => [...Object.values(error.constraints ?? {}), ...messagesOf(error.children ?? [])]);
}

/*
 * The fast path of `parseEventsV2Event`: a zod schema that accepts only events the class-validator rules
 * above accept (the same rules, each as strict or stricter: `.max` counts UTF-16 units where `MaxLength`
 * counts a surrogate pair once, an optional field may be absent or null as `@IsOptional` allows).
 * Under a storm nearly every delivery is valid, and zod checks one in a fraction of the time
 * class-transformer + class-validator take. Whatever it does not accept goes through class-validator,
 * which alone writes the refusal messages: the answers are the same either way
 * (`events-v2-event.request.dto.spec.ts` checks both paths on a corpus of hostile variations).
 */
const nonBlankText = (max: number) => z.string().max(max).regex(notBlank);
const optionalText = (max?: number) => (max === undefined ? z.string() : z.string().max(max)).nullish();
const VALID_PAYLOAD = z.looseObject({
  summary: nonBlankText(ALERT_LIMITS.summaryMax),
  source: nonBlankText(ALERT_LIMITS.textMax),
  severity: z.enum(ALERT_SEVERITIES),
  timestamp: z
    .string()
    .refine((value) => isISO8601(value))
    .nullish(),
  component: optionalText(ALERT_LIMITS.textMax),
  group: optionalText(ALERT_LIMITS.textMax),
  class: optionalText(ALERT_LIMITS.textMax),
});
const VALID_COMMON = {
  routing_key: z.string().refine((value) => length(value, 32, 32)),
  links: z.array(z.looseObject({ href: z.string().regex(notBlank), text: optionalText() })).nullish(),
  images: z.array(z.looseObject({ src: z.string().regex(notBlank), href: optionalText(), alt: optionalText() })).nullish(),
  client: optionalText(),
  client_url: optionalText(),
};
const VALID_DEDUP_KEY = nonBlankText(ALERT_LIMITS.dedupKeyMax);
const VALID_EVENT = z.discriminatedUnion('event_action', [
  z.looseObject({ ...VALID_COMMON, event_action: z.literal('trigger'), payload: VALID_PAYLOAD, dedup_key: z.union([VALID_DEDUP_KEY, z.literal('')]).nullish() }),
  z.looseObject({ ...VALID_COMMON, event_action: z.enum(['acknowledge', 'resolve']), dedup_key: VALID_DEDUP_KEY }),
]);

/** Validates a parsed JSON body as an Events API v2 event (never throws on bad input). */
export async function parseEventsV2Event(body: unknown): Promise<ParsedEventsV2Event> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: ['Event must be a JSON object'] };
  // The body itself, as class-transformer would have copied it (no conversions, unknown fields kept).
  if (VALID_EVENT.safeParse(body).success) return { ok: true, event: body as EventsV2EventRequest };
  return validateWithClassValidator(body);
}

/** The rules as declared on `EventsV2EventRequest`, and their messages. Exported for the fast path's spec. */
export async function validateWithClassValidator(body: object): Promise<ParsedEventsV2Event> {
  const event = plainToInstance(EventsV2EventRequest, body);
  // One message per field (the first broken rule), as PagerDuty does.
  const errors = await validate(event, { forbidUnknownValues: false, stopAtFirstError: true, validationError: { target: false, value: false } });
  if (errors.length > 0) return { ok: false, errors: [...new Set(messagesOf(errors))] };
  return { ok: true, event };
}

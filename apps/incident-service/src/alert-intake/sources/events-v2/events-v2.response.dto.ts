import { ApiProperty } from '@nestjs/swagger';

/*
 * Response bodies of PagerDuty's Events API v2 (https://developer.pagerduty.com/api-reference/368ae3d938c9e-send-an-event-to-pager-duty):
 * 202 `{"status":"success","message":"Event processed","dedup_key":"…"}`, 400
 * `{"status":"invalid event","message":"Event object is invalid","errors":["…"]}`. Senders parse these,
 * so `/v2/enqueue` answers in them, never in problem+json.
 */

/** 202: the event is recorded (and, normally, processed). */
export class EventsV2AcceptedResponse {
  @ApiProperty({ example: 'success' })
  status!: 'success';

  @ApiProperty({ example: 'Event processed' })
  message!: string;

  @ApiProperty({ example: 'srv01/HTTP' })
  dedup_key!: string;
}

/** 400: the event was refused. */
export class EventsV2InvalidResponse {
  @ApiProperty({ example: 'invalid event' })
  status!: 'invalid event';

  @ApiProperty({ example: 'Event object is invalid' })
  message!: string;

  @ApiProperty({ type: [String], example: ["'payload.summary' is missing or blank"] })
  errors!: string[];
}

/**
 * 429: too many events for this routing key. Status per PagerDuty's Events API v2 reference ("429 Too
 * many API calls at a time"); PagerDuty documents no v2 body, so the body takes the shape and wording
 * of PagerDuty's captured Events API v1 throttle answer
 * (`{"status":"throttle exceeded","message":"Requests for this service are arriving too quickly. Please retry later."}`,
 * there with 403). Clients key on the status code (429 = retry with backoff), not on this text.
 */
export class EventsV2ThrottledResponse {
  @ApiProperty({ example: 'throttle exceeded' })
  status!: 'throttle exceeded';

  @ApiProperty({ example: 'Requests for this service are arriving too quickly. Please retry later.' })
  message!: string;
}

export function eventsV2Throttled(): EventsV2ThrottledResponse {
  return { status: 'throttle exceeded', message: 'Requests for this service are arriving too quickly. Please retry later.' };
}

export function eventsV2Accepted(dedupKey: string): EventsV2AcceptedResponse {
  return { status: 'success', message: 'Event processed', dedup_key: dedupKey };
}

export function eventsV2Invalid(errors: string[]): EventsV2InvalidResponse {
  return { status: 'invalid event', message: 'Event object is invalid', errors };
}

/**
 * 5xx: Fireline could not take the event now (500 a fault, 503 its database is away, with `Retry-After`).
 * PagerDuty documents no body for its 5xx answers, only that senders retry them; this one carries the
 * `status`/`message` members of its other answers.
 */
export class EventsV2ServerErrorResponse {
  @ApiProperty({ example: 'error' })
  status!: 'error';

  @ApiProperty({ example: 'Service unavailable: retry later' })
  message!: string;
}

export function eventsV2ServerError(httpStatus: number): EventsV2ServerErrorResponse {
  return { status: 'error', message: httpStatus === 503 ? 'Service unavailable: retry later' : 'Internal error: retry later' };
}

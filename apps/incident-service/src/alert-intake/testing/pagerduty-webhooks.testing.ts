import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type request from 'supertest';
import { REPO_ROOT } from './events-v2.testing';

const FIXTURES = resolve(REPO_ROOT, 'test/fixtures/pagerduty-webhooks-v3');

/** The fixtures' signing secret (`test/fixtures/pagerduty-webhooks-v3/SECRET`). */
export const FIXTURE_SECRET = readFileSync(resolve(FIXTURES, 'SECRET'), 'utf8').trim();

export const FIXTURE_NAMES = [
  '01-incident-triggered',
  '02-incident-acknowledged',
  '03-incident-annotated',
  '04-incident-priority-updated',
  '05-incident-resolved',
] as const;

/** A captured delivery: the body's exact bytes (never re-serialized) and its headers. */
export interface PagerDutyDelivery {
  body: Buffer;
  headers: Record<string, string>;
}

export function fixtureDelivery(name: string): PagerDutyDelivery {
  return {
    body: readFileSync(resolve(FIXTURES, `${name}.body.json`)),
    headers: JSON.parse(readFileSync(resolve(FIXTURES, `${name}.headers.json`), 'utf8')) as Record<string, string>,
  };
}

/** A delivery of `body` signed (v1) with `secret`, as PagerDuty would send it. */
export function signedDelivery(body: string | Buffer, secret = FIXTURE_SECRET, headers: Record<string, string> = {}): PagerDutyDelivery {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    body: bytes,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-pagerduty-signature': `v1=${createHmac('sha256', secret).update(bytes).digest('hex')}`,
      ...headers,
    },
  };
}

/**
 * POSTs the delivery's bytes with its headers to the integration's webhook URL. Sent as a string:
 * superagent would JSON-serialize a Buffer under a JSON content type. The string is the body's UTF-8
 * decoding, checked to encode back to the very same bytes.
 */
export function deliver(http: ReturnType<typeof request>, integrationId: string, delivery: PagerDutyDelivery): request.Test {
  const text = delivery.body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(delivery.body)) throw new Error('the delivery body is not valid UTF-8: it would not be sent byte for byte');
  return http.post(`/v1/integrations/${integrationId}/pagerduty-webhooks`).set(delivery.headers).send(text);
}

/** Creates a `pagerduty-webhooks-v3` integration over HTTP. */
export async function createPagerDutyIntegration(
  http: ReturnType<typeof request>,
  signingSecrets: string[] = [FIXTURE_SECRET],
): Promise<{ id: string; name: string }> {
  const name = `pagerduty-${Math.random().toString(36).slice(2, 8)}`;
  const response = await http.post('/v1/integrations').send({ type: 'pagerduty-webhooks-v3', name, service: 'payments', signingSecrets });
  if (response.status !== 201) throw new Error(`create integration: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: (response.body as { id: string }).id, name };
}

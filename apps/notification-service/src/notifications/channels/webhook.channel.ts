import type { IncidentIntegrationEventV1 } from '@fireline/contracts';
import { firelineSignatureHeaders } from './webhook-signature';

/**
 * The JSON body of a Fireline webhook: `{ deliveryId, event }` where `event` is the
 * `fireline.incidents.v1` integration event exactly as published (see `@fireline/contracts`).
 * Rendered once when the delivery is queued and stored as text, so every retry sends the same bytes.
 */
export interface WebhookBody {
  deliveryId: string;
  event: IncidentIntegrationEventV1;
}

/** Serialises the `WebhookBody` of one delivery: the exact bytes that are signed and sent. */
export function renderWebhookBody(deliveryId: string, event: IncidentIntegrationEventV1): string {
  const body: WebhookBody = { deliveryId, event };
  return JSON.stringify(body);
}

/** Headers of one webhook attempt: JSON content type plus the signature headers for `rawBody`. */
export function webhookRequestHeaders(input: { deliveryId: string; secret: string; rawBody: string; now: Date }): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    ...firelineSignatureHeaders(input),
  };
}

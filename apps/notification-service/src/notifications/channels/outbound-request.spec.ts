import { anIncidentDeclared } from '../testing/incident-event.factory';
import { buildOutboundRequest, renderDeliveryPayload } from './outbound-request';
import { verifyFirelineSignature } from './webhook-signature';

const now = new Date('2025-11-21T09:00:00.000Z');

describe('renderDeliveryPayload', () => {
  it('wraps the integration event with the delivery id for webhooks', () => {
    const event = anIncidentDeclared();
    expect(JSON.parse(renderDeliveryPayload('webhook', 'd-1', event))).toEqual({ deliveryId: 'd-1', event });
  });

  it('renders a Slack message for Slack', () => {
    const payload = JSON.parse(renderDeliveryPayload('slack', 'd-1', anIncidentDeclared())) as { text: unknown; blocks: unknown };
    expect(typeof payload.text).toBe('string');
    expect(Array.isArray(payload.blocks)).toBe(true);
  });
});

describe('buildOutboundRequest', () => {
  it('signs a webhook over exactly the stored payload bytes', () => {
    const payload = renderDeliveryPayload('webhook', 'd-1', anIncidentDeclared({ title: 'Ünïcödé ☕' }));
    const request = buildOutboundRequest({ id: 'd-1', channelType: 'webhook', targetUrl: 'http://127.0.0.1:1/hook', payload, secret: 's3cret-s3cret-s3cret' }, now);
    expect(request.body).toBe(payload);
    expect(request.headers['Fireline-Delivery-Id']).toBe('d-1');
    expect(verifyFirelineSignature('s3cret-s3cret-s3cret', Buffer.from(request.body, 'utf8'), request.headers, 60, now)).toBe(true);
  });

  it('sends Slack payloads unsigned', () => {
    const request = buildOutboundRequest({ id: 'd-2', channelType: 'slack', targetUrl: 'https://hooks.slack.example/T/B/X', payload: '{}', secret: null }, now);
    expect(request.headers).toEqual({ 'user-agent': 'Fireline-Notifications/1', 'content-type': 'application/json; charset=utf-8' });
  });

  it('refuses a webhook delivery without a secret', () => {
    expect(() => buildOutboundRequest({ id: 'd-3', channelType: 'webhook', targetUrl: 'http://x', payload: '{}', secret: null }, now)).toThrow(/no signing secret/);
  });
});

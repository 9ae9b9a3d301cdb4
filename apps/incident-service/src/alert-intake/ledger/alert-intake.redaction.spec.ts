import { redactedBodyForDisplay, redactedHeaders, REDACTED } from './alert-intake.redaction';

describe(redactedHeaders.name, () => {
  it('keeps no credential header value, only that it was sent, and keeps what a reader needs', () => {
    const headers = redactedHeaders({
      Authorization: 'Bearer flt_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      'proxy-authorization': 'Basic dXNlcjpwYXNz',
      cookie: 'session=s3cr3t',
      'x-api-key': 'key-1234567890',
      'X-Auth-Token': 'tok-1234567890',
      'x-pagerduty-signature': 'v1=abcdef0123456789',
      'x-hub-signature-256': 'sha256=00ff',
      'x-amz-security-token': 'FwoGZXIvYXdzE',
      'content-type': 'application/json',
      'user-agent': 'Alertmanager/0.25.0',
      'x-webhook-id': 'wh-1',
      referer: 'https://admin:hunter2@alertmanager.internal/#/alerts',
      'x-forwarded-for': undefined,
    });
    expect(headers).toEqual({
      authorization: REDACTED,
      'proxy-authorization': REDACTED,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      'x-auth-token': REDACTED,
      'x-pagerduty-signature': REDACTED,
      'x-hub-signature-256': REDACTED,
      'x-amz-security-token': REDACTED,
      'content-type': 'application/json',
      'user-agent': 'Alertmanager/0.25.0',
      'x-webhook-id': 'wh-1',
      referer: 'https://…@alertmanager.internal/#/alerts',
    });
  });
});

describe(redactedBodyForDisplay.name, () => {
  it('masks members with secret-looking names at any depth, keeps the rest (dedup_key included)', () => {
    const body = {
      routing_key: 'r0ut1ngk3yr0ut1ngk3yr0ut1ngabcd',
      dedup_key: 'disk-full/orders-db',
      event_action: 'trigger',
      payload: {
        summary: 'Disk full',
        custom_details: { db_password: 'hunter2hunter2', apiKey: 'AKIA1234567890XYZ', token_count: 3, nested: [{ client_secret: 's3cr3t-value-0001' }] },
      },
      links: [{ href: 'https://grafana:admin-pass@grafana.internal/d/1', text: 'dashboard' }],
      credentials: { user: 'u', pass: 'p' },
    };
    const shown = JSON.parse(redactedBodyForDisplay(JSON.stringify(body))) as Record<string, unknown>;
    expect(shown).toEqual({
      routing_key: '…abcd',
      dedup_key: 'disk-full/orders-db',
      event_action: 'trigger',
      payload: {
        summary: 'Disk full',
        custom_details: { db_password: '…ter2', apiKey: '…0XYZ', token_count: REDACTED, nested: [{ client_secret: '…0001' }] },
      },
      links: [{ href: 'https://…@grafana.internal/d/1', text: 'dashboard' }],
      credentials: REDACTED,
    });
    const text = JSON.stringify(shown);
    for (const secret of ['r0ut1ngk3y', 'hunter2hunter2', 'AKIA1234567890', 's3cr3t-value', 'admin-pass']) expect(text).not.toContain(secret);
  });

  it('masks secret-looking pairs in a body that is not JSON, and caps its length', () => {
    expect(redactedBodyForDisplay('{"event": {"token": "abcdefghijklmnop1234", "id": 7')).toBe('{"event": {"token": "…1234", "id": 7');
    expect(redactedBodyForDisplay('password=hunter2hunter2&user=ops')).toBe('password=…ter2&user=ops');
    expect(redactedBodyForDisplay('x'.repeat(70_000))).toHaveLength(65_537);
  });
});

import { aPublishedIncident, aStatusPage, aStatusPageIncidentPublished } from '../testing/status-page-event.factory';
import { notificationOf } from './status-page-notification';
import { confirmationEmail, formatTime, notificationEmail } from './subscription-email';

describe('notificationEmail', () => {
  it('escapes every interpolated string in the HTML part and keeps the subject on one line', () => {
    const page = aStatusPage({ name: 'Acme <script>' });
    const incident = aPublishedIncident(page, [page.components[0]!], { name: 'Bad\r\nBcc: victim@example.com' });
    const email = notificationEmail(notificationOf(aStatusPageIncidentPublished(page, incident))!, 'https://status.example.com/u?id=1&token=t');
    expect(email.subject).toBe('[Acme <script>] Investigating: Bad Bcc: victim@example.com');
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('Acme &lt;script&gt;');
    expect(email.html).toContain('href="https://status.example.com/u?id=1&amp;token=t"');
    expect(email.text).toContain('Unsubscribe: https://status.example.com/u?id=1&token=t');
    expect(email.text).toContain('1 Mar 2026, 11:00 CET');
  });
});

describe('formatTime', () => {
  it('formats in the page time zone, and in UTC when the zone is unknown', () => {
    expect(formatTime('2026-07-01T10:00:00.000Z', 'Europe/Berlin')).toBe('1 Jul 2026, 12:00 CEST');
    expect(formatTime('2026-07-01T10:00:00.000Z', 'Mars/Olympus')).toBe('1 Jul 2026, 10:00 UTC');
  });
});

describe('confirmationEmail', () => {
  it('carries the confirmation link and how long it works', () => {
    const email = confirmationEmail({ name: 'Acme', url: 'https://status.example.com/status/acme' }, 'https://status.example.com/c?token=abc', 86_400_000);
    expect(email.subject).toBe('[Acme] Confirm your subscription');
    expect(email.text).toContain('Confirm the subscription: https://status.example.com/c?token=abc');
    expect(email.text).toContain('24 hours');
  });
});

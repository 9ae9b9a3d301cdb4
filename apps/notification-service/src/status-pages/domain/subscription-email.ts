import { humanStatus, type StatusPageNotification } from './status-page-notification';

/** One email's content: the subject, a plain-text part and an HTML part (every interpolated string escaped). */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/**
 * An email as queued (`deliveries.payload` of an `email` delivery, sealed at rest): its content, the
 * recipient and, for notifications, the one-click unsubscribe URL that goes into `List-Unsubscribe`
 * (RFC 2369) with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). `From` and
 * `Message-ID` are added when it is sent.
 */
export interface QueuedEmail extends EmailContent {
  to: string;
  listUnsubscribe: string | null;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text -> HTML text or attribute value: `& < > " '` escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Subjects are one line: line breaks (which would start a new header) become spaces, and they are cut at 200 characters. */
function subjectLine(text: string): string {
  const line = text.replace(/[\r\n\t]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** An ISO-8601 time in the page's time zone (`1 Mar 2026, 11:00 CET`); UTC if the zone is unknown here. */
export function formatTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // `dateStyle` cannot be combined with `timeZoneName` (a TypeError): the parts are spelled out.
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' }).format(date);
  try {
    return format(timeZone);
  } catch {
    return format('UTC');
  }
}

interface Section {
  heading: string;
  lines: string[];
}

function render(title: string, sections: Section[], links: { label: string; url: string }[], footer: string): { text: string; html: string } {
  const text = [
    title,
    '',
    ...sections.flatMap((s) => [s.heading, ...s.lines, '']),
    ...links.map((l) => `${l.label}: ${l.url}`),
    '',
    footer,
  ].join('\n');
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head>',
    '<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;line-height:1.5;color:#1f2328;max-width:40rem;margin:0 auto;padding:1rem">',
    `<h1 style="font-size:1.25rem">${escapeHtml(title)}</h1>`,
    ...sections.map((s) => `<h2 style="font-size:1rem;margin-bottom:0">${escapeHtml(s.heading)}</h2>${s.lines.map((l) => `<p style="margin:.25rem 0;white-space:pre-wrap">${escapeHtml(l)}</p>`).join('')}`),
    `<p>${links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join(' · ')}</p>`,
    `<p style="color:#59636e;font-size:.875rem">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('');
  return { text, html };
}

/**
 * The email telling a subscriber of `notification`: subject `[<page>] <what happened>`, the update's
 * status, time (in the page's time zone) and text, the components concerned, a link to the page and
 * the unsubscribe link.
 */
export function notificationEmail(notification: StatusPageNotification, unsubscribeUrl: string): EmailContent {
  const page = notification.page;
  const tz = page.timeZone;
  let headline: string;
  let sections: Section[];
  switch (notification.kind) {
    case 'incident': {
      const { incident, update } = notification;
      const state = humanStatus(update?.status ?? incident.status);
      headline = `${state}: ${incident.name}`;
      const affected = incident.components.map((c) => `${c.name} (${humanStatus(c.status)})`).join(', ');
      sections = [
        ...(update ? [{ heading: `${humanStatus(update.status)} · ${formatTime(update.displayAt, tz)}`, lines: [update.body] }] : []),
        ...(affected ? [{ heading: 'Affected components', lines: [affected] }] : []),
      ];
      break;
    }
    case 'maintenance': {
      const { maintenance, update } = notification;
      headline = notification.change === 'scheduled' ? `Scheduled maintenance: ${maintenance.name}` : `${humanStatus(update?.status ?? maintenance.status)}: ${maintenance.name}`;
      const affected = maintenance.components.map((c) => c.name).join(', ');
      sections = [
        { heading: 'When', lines: [`${formatTime(maintenance.scheduledFor, tz)} to ${formatTime(maintenance.scheduledUntil, tz)}`] },
        ...(update ? [{ heading: `${humanStatus(update.status)} · ${formatTime(update.displayAt, tz)}`, lines: [update.body] }] : []),
        ...(affected ? [{ heading: 'Components', lines: [affected] }] : []),
      ];
      break;
    }
    case 'component': {
      headline = `${notification.component.name} is ${humanStatus(notification.newStatus).toLowerCase()}`;
      sections = [{ heading: formatTime(notification.occurredAt, tz), lines: [`${notification.component.name} changed from ${humanStatus(notification.oldStatus).toLowerCase()} to ${humanStatus(notification.newStatus).toLowerCase()}.`] }];
      break;
    }
    default: {
      const exhaustive: never = notification;
      return exhaustive;
    }
  }
  const title = `${page.name}: ${headline}`;
  const body = render(title, sections, [{ label: 'Status page', url: page.url }, { label: 'Unsubscribe', url: unsubscribeUrl }], `You get this email because you subscribed to ${page.name} status updates.`);
  return { subject: subjectLine(`[${page.name}] ${headline}`), ...body };
}

/**
 * The double opt-in email: a link that confirms the subscription (valid for `validForMs`); nothing is
 * sent to the address again until it is used.
 */
export function confirmationEmail(page: { name: string; url: string }, confirmUrl: string, validForMs: number): EmailContent {
  const hours = Math.max(1, Math.round(validForMs / 3_600_000));
  const title = `Confirm your subscription to ${page.name}`;
  const body = render(
    title,
    [{ heading: 'One more step', lines: [`Someone (hopefully you) asked for ${page.name} status updates at this address. Open the link below to confirm; it works for ${hours} hour${hours === 1 ? '' : 's'}.`] }],
    [{ label: 'Confirm the subscription', url: confirmUrl }, { label: 'Status page', url: page.url }],
    'If you did not ask for this, ignore this email: without confirmation you will get nothing else.',
  );
  return { subject: subjectLine(`[${page.name}] Confirm your subscription`), ...body };
}

/**
 * The public links of a subscription, under the page's public address (`STATUS_PAGES_PUBLIC_URL`
 * + `/status/{slug}`, where incident-service serves the page and notification-service these routes):
 * - confirm (double opt-in): `…/subscriptions/confirm?token=<confirmation token>`;
 * - unsubscribe (every message): `…/subscriptions/unsubscribe?id=<subscriber id>&token=<unsubscribe token>`.
 * A GET of either shows a page with one button; the POST does it (link scanners that follow every link
 * in an email neither confirm nor unsubscribe anyone). The unsubscribe POST is RFC 8058's one-click.
 */
export function confirmLink(publicBaseUrl: string, slug: string, token: string): string {
  return `${publicBaseUrl}/status/${encodeURIComponent(slug)}/subscriptions/confirm?token=${encodeURIComponent(token)}`;
}

/** See `confirmLink`. */
export function unsubscribeLink(publicBaseUrl: string, slug: string, subscriberId: string, token: string): string {
  return `${publicBaseUrl}/status/${encodeURIComponent(slug)}/subscriptions/unsubscribe?id=${encodeURIComponent(subscriberId)}&token=${encodeURIComponent(token)}`;
}

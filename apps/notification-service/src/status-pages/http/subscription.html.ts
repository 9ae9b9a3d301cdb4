import { escapeHtml } from '../domain/subscription-email';

/**
 * The small HTML pages of the public subscription links (no JavaScript, no external resources). A GET
 * of a link shows one of these with a button; only the button's POST acts, so that mail scanners and
 * link previews that fetch every URL of an email neither confirm nor unsubscribe anyone.
 */
export function subscriptionPage(title: string, paragraphs: string[], form: { action: string; button: string } | null, back: { name: string; url: string } | null): string {
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;line-height:1.5;max-width:36rem;margin:2rem auto;padding:0 1rem"><main>',
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    form ? `<form method="post" action="${escapeHtml(form.action)}"><button type="submit">${escapeHtml(form.button)}</button></form>` : '',
    back ? `<p><a href="${escapeHtml(back.url)}">Back to ${escapeHtml(back.name)}</a></p>` : '',
    '</main></body></html>',
  ].join('');
}

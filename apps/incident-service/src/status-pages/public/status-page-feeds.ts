import { Feed } from 'feed';
import type { StatusPageView } from '../domain/status-page-view';
import { escapeHtml } from './html-template';
import { pageUrlOf } from './statuspage-v2';

/** Atom 1.0 (RFC 4287) or RSS 2.0 of a page's incident history: one entry per published incident, its updates as content. */
export function renderIncidentFeed(view: StatusPageView, baseUrl: string, format: 'atom' | 'rss'): string {
  const url = pageUrlOf(view, baseUrl);
  const feed = new Feed({
    title: `${view.name} status - incident history`,
    description: `Incidents published on the ${view.name} status page`,
    id: url,
    link: url,
    language: 'en',
    updated: new Date(view.updatedAt),
    copyright: view.name,
    feedLinks: { atom: `${url}/history.atom`, rss: `${url}/history.rss` },
  });
  for (const incident of [...view.incidents].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt))) {
    // Escaped here, so that nothing a writer typed (`]]>`, markup) can break out of the feed's CDATA or HTML.
    const lines = incident.updates.map((u) => escapeHtml(`${u.status}: ${u.body} (${u.displayAt})`));
    feed.addItem({
      // The feed library writes item titles as HTML in CDATA: escaped like the content.
      title: escapeHtml(`${incident.name} (${incident.status})`),
      id: `${url}#incident-${incident.id}`,
      link: `${url}#incident-${incident.id}`,
      date: new Date(incident.updatedAt),
      published: new Date(incident.createdAt),
      description: escapeHtml(incident.updates[0]?.body ?? incident.name),
      content: lines.join('<br>\n'),
    });
  }
  return format === 'atom' ? feed.atom1() : feed.rss2();
}

import { DateTime } from 'luxon';
import type { StatusPageView, ViewComponent, ViewIncident, ViewMaintenance } from '../domain/status-page-view';
import { formatUptime, uptimeBar, type UptimeDay } from '../domain/uptime';
import { COMPONENT_STATUS_LABELS, pageStatusOf, type ComponentStatus } from '../domain/status-page.values';
import { html, type SafeHtml } from './html-template';

/** How many days of resolved incidents the history section lists. */
const HISTORY_DAYS = 14;

/**
 * The public status page: overall status, active incidents with their updates, active and upcoming
 * maintenance, components with their 90-day uptime bars, incident history. Server-rendered HTML that
 * needs no JavaScript; every stored string is escaped. Status is given in words and symbols, never by
 * colour alone. `now` is the moment shown (the request time, or `?at=`).
 */
export function renderStatusPageHtml(view: StatusPageView, now: Date, options: { asOf: boolean; basePath: string }): string {
  const status = pageStatusOf(view.components.map((c) => c.status));
  const unresolved = view.incidents.filter((i) => i.resolvedAt === null);
  const active = view.maintenances.filter((m) => m.status === 'in_progress' || m.status === 'verifying');
  const upcoming = view.maintenances.filter((m) => m.status === 'scheduled').sort((a, b) => Date.parse(a.scheduledFor) - Date.parse(b.scheduledFor));
  const historyFrom = now.getTime() - HISTORY_DAYS * 86_400_000;
  const history = view.incidents.filter((i) => i.resolvedAt !== null && Date.parse(i.resolvedAt) >= historyFrom);
  const when = (iso: string) => formatTime(iso, view.timeZone);
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view.name} status</title>
<link rel="alternate" type="application/atom+xml" title="${view.name} incident history (Atom)" href="${options.basePath}/history.atom">
<link rel="alternate" type="application/rss+xml" title="${view.name} incident history (RSS)" href="${options.basePath}/history.rss">
<style>${STYLE}</style>
</head>
<body>
<header class="wrap"><h1>${view.name} status</h1>${view.description ? html`<p>${view.description}</p>` : null}${
    options.asOf ? html`<p class="asof" role="note">As it was at <time datetime="${now.toISOString()}">${when(now.toISOString())}</time> (replayed from history). <a href="${options.basePath}">Current status</a></p>` : null
  }</header>
<main class="wrap">
<section aria-labelledby="overall" class="overall ind-${status.indicator}">
<h2 id="overall"><span aria-hidden="true">${INDICATOR_SYMBOL[status.indicator]}</span> ${status.description}</h2>
</section>
${unresolved.length > 0 ? html`<section aria-labelledby="active-incidents"><h2 id="active-incidents">Active incidents</h2>${unresolved.map((i) => incident(i, view, when))}</section>` : null}
${active.length > 0 ? html`<section aria-labelledby="active-maintenance"><h2 id="active-maintenance">Maintenance in progress</h2>${active.map((m) => maintenance(m, view, when))}</section>` : null}
${upcoming.length > 0 ? html`<section aria-labelledby="upcoming-maintenance"><h2 id="upcoming-maintenance">Upcoming maintenance</h2>${upcoming.map((m) => maintenance(m, view, when))}</section>` : null}
<section aria-labelledby="components"><h2 id="components">Components</h2>
<p class="legend">Bars show the last 90 days (${view.timeZone}), oldest on the left. A major outage counts as downtime, a partial outage as 30%.</p>
<svg class="patterns" aria-hidden="true" focusable="false"><defs><pattern id="days-ok" width="5" height="34" patternUnits="userSpaceOnUse"><rect width="4" height="34" fill="#2da44e"/></pattern><pattern id="days-none" width="5" height="34" patternUnits="userSpaceOnUse"><rect width="4" height="34" fill="#d0d7de"/></pattern></defs></svg>
<ul class="components">${componentList(view, now)}</ul>
</section>
<section aria-labelledby="history"><h2 id="history">Past incidents (last ${HISTORY_DAYS} days)</h2>
${history.length > 0 ? history.map((i) => incident(i, view, when)) : html`<p>No incidents reported.</p>`}
</section>
</main>
<footer class="wrap"><p>Times in ${view.timeZone}. Subscribe: <a href="${options.basePath}/history.atom">Atom</a> · <a href="${options.basePath}/history.rss">RSS</a> · <a href="${options.basePath}/api/v2/summary.json">JSON</a></p></footer>
</body>
</html>
`;
  return page.value;
}

const INDICATOR_SYMBOL = { none: '✓', minor: '!', major: '!!', critical: '✕' } as const;
const STATUS_SYMBOL: Record<ComponentStatus, string> = {
  operational: '✓',
  under_maintenance: '🔧',
  degraded_performance: '!',
  partial_outage: '!!',
  major_outage: '✕',
};
const STATUS_CLASS: Record<ComponentStatus, string> = {
  operational: 'ok',
  under_maintenance: 'maint',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

function formatTime(iso: string, timeZone: string): string {
  return DateTime.fromISO(iso, { zone: timeZone }).toFormat('d LLL yyyy, HH:mm ZZZZ');
}

function componentList(view: StatusPageView, now: Date): SafeHtml[] {
  const visible = (c: ViewComponent) => !(c.onlyShowIfDegraded && c.status === 'operational');
  const ungrouped = view.components.filter((c) => c.groupId === null && visible(c)).map((c) => ({ position: c.position, body: component(c, view, now) }));
  const groups = view.groups.map((g) => {
    const members = view.components.filter((c) => c.groupId === g.id && visible(c));
    return {
      position: g.position,
      body: members.length === 0 ? null : html`<li class="group"><h3>${g.name}</h3><ul class="components">${members.map((c) => component(c, view, now))}</ul></li>`,
    };
  });
  return [...ungrouped, ...groups]
    .sort((a, b) => a.position - b.position)
    .flatMap((entry) => (entry.body === null ? [] : [entry.body]));
}

function component(c: ViewComponent, view: StatusPageView, now: Date): SafeHtml {
  const label = COMPONENT_STATUS_LABELS[c.status];
  return html`<li class="component" id="component-${c.id}">
<div class="row"><h3 class="name">${c.name}</h3><span class="status st-${STATUS_CLASS[c.status]}"><span aria-hidden="true">${STATUS_SYMBOL[c.status]}</span> ${label}</span></div>
${c.description ? html`<p class="desc">${c.description}</p>` : null}
${c.showcase ? uptime(c, view, now) : null}
</li>`;
}

function uptime(c: ViewComponent, view: StatusPageView, now: Date): SafeHtml {
  const bar = uptimeBar(c.history, view.timeZone, now);
  const percent = bar.uptime === null ? 'no data' : `${formatUptime(bar.uptime)} uptime`;
  const bad = bar.days.filter((d) => d.worst !== null && d.worst !== 'operational').length;
  const summary = `${c.name}: ${percent} over the last 90 days; ${bad} ${bad === 1 ? 'day' : 'days'} with incidents or maintenance`;
  return html`<figure class="uptime">
<svg class="bars" role="img" aria-label="${summary}" data-days="${bar.days.length}" viewBox="0 0 ${bar.days.length * 5} 34" preserveAspectRatio="none">${dayRuns(bar.days).map(runBar)}</svg>
<figcaption><span>90 days ago</span><span class="pct">${percent}</span><span>Today</span></figcaption>
</figure>`;
}

/**
 * Days of one bar. Consecutive quiet days (no data, or operational all day) share one rectangle filled
 * with a pattern of day bars (`#days-ok`, `#days-none`), which keeps a 90-day bar a few hundred bytes.
 */
interface DayRun {
  first: number;
  days: UptimeDay[];
  cls: string;
}

function dayRuns(days: UptimeDay[]): DayRun[] {
  const runs: DayRun[] = [];
  days.forEach((day, index) => {
    const cls = day.worst === null ? 'none' : STATUS_CLASS[day.worst];
    const quiet = day.worst === null || (day.worst === 'operational' && day.uptime === 1);
    const last = runs.at(-1);
    if (quiet && last && last.cls === `run-${cls}` && last.first + last.days.length === index) last.days.push(day);
    else runs.push({ first: index, days: [day], cls: quiet ? `run-${cls}` : `d-${cls}` });
  });
  return runs;
}

function runBar(run: DayRun): SafeHtml {
  const first = run.days[0];
  const last = run.days[run.days.length - 1];
  const dates = run.days.length === 1 ? first.date : `${first.date} to ${last.date}`;
  const text =
    first.worst === null
      ? `${dates}: no data`
      : run.days.length > 1
        ? `${dates}: no downtime`
        : `${dates}: ${formatUptime(first.uptime ?? 1)} uptime, worst: ${COMPONENT_STATUS_LABELS[first.worst]}`;
  return html`<rect class="${run.cls}" x="${run.first * 5}" width="${run.days.length * 5 - 1}" height="34"><title>${text}</title></rect>`;
}

function impactedNames(ids: string[], view: StatusPageView): string {
  return view.components.filter((c) => ids.includes(c.id)).map((c) => c.name).join(', ');
}

function incident(i: ViewIncident, view: StatusPageView, when: (iso: string) => string): SafeHtml {
  const affected = impactedNames(i.impacts.map((impact) => impact.componentId), view);
  return html`<article class="incident imp-${i.impact}" id="incident-${i.id}" aria-labelledby="incident-title-${i.id}">
<h3 id="incident-title-${i.id}">${i.name} <span class="badge">${i.status}</span></h3>
${affected ? html`<p class="affected">Affected: ${affected}</p>` : null}
<ol class="updates">${i.updates.map((u) => html`<li><strong>${capitalize(u.status)}</strong> — ${u.body}<br><small><time datetime="${u.displayAt}">${when(u.displayAt)}</time></small></li>`)}</ol>
</article>`;
}

function maintenance(m: ViewMaintenance, view: StatusPageView, when: (iso: string) => string): SafeHtml {
  const affected = impactedNames(m.componentIds, view);
  return html`<article class="maintenance" id="maintenance-${m.id}" aria-labelledby="maintenance-title-${m.id}">
<h3 id="maintenance-title-${m.id}">${m.name} <span class="badge">${m.status.replace('_', ' ')}</span></h3>
<p>Scheduled <time datetime="${m.scheduledFor}">${when(m.scheduledFor)}</time> – <time datetime="${m.scheduledUntil}">${when(m.scheduledUntil)}</time></p>
${affected ? html`<p class="affected">Affected: ${affected}</p>` : null}
<ol class="updates">${m.updates.map((u) => html`<li><strong>${capitalize(u.status.replace('_', ' '))}</strong> — ${u.body}<br><small><time datetime="${u.createdAt}">${when(u.createdAt)}</time></small></li>`)}</ol>
</article>`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Colours checked for at least 4.5:1 contrast against their backgrounds (WCAG AA); status is also in words.
const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
.wrap{max-width:56rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.75rem;margin:0 0 .5rem}
h2{font-size:1.25rem;margin:1.5rem 0 .75rem}
h3{font-size:1rem;margin:0}
a{color:#0550ae}
.asof{background:#fff8c5;border:1px solid #9a6700;padding:.5rem .75rem;border-radius:6px}
.overall{border-radius:8px;padding:.25rem 1rem;color:#fff}
.overall h2{margin:.75rem 0}
.ind-none{background:#1a7f37}.ind-minor{background:#7d4e00}.ind-major{background:#a40e26}.ind-critical{background:#82071e}
.components{list-style:none;margin:0;padding:0}
.component{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:.75rem 1rem;margin-bottom:.5rem}
.group{margin-bottom:1rem}.group>h3{margin:.5rem 0}
.row{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem}
.status{font-weight:600}
.st-ok{color:#116329}.st-maint{color:#0550ae}.st-minor{color:#7d4e00}.st-major{color:#9a3412}.st-critical{color:#a40e26}
.desc{margin:.25rem 0 0;color:#57606a}
.uptime{margin:.5rem 0 0}
.bars{display:block;width:100%;height:34px}
.d-ok{fill:#2da44e}.d-maint{fill:#218bff}.d-minor{fill:#d4a72c}.d-major{fill:#fb8f44}.d-critical{fill:#cf222e}.d-none{fill:#d0d7de}
.run-ok{fill:url(#days-ok)}.run-none{fill:url(#days-none)}
.patterns{position:absolute;width:0;height:0}
figcaption{display:flex;justify-content:space-between;font-size:.8rem;color:#57606a}
.pct{font-weight:600;color:#1f2328}
.incident,.maintenance{background:#fff;border:1px solid #d0d7de;border-left:6px solid #57606a;border-radius:8px;padding:.75rem 1rem;margin-bottom:.75rem}
.imp-minor{border-left-color:#d4a72c}.imp-major{border-left-color:#fb8f44}.imp-critical{border-left-color:#cf222e}.maintenance{border-left-color:#218bff}
.badge{display:inline-block;font-size:.75rem;font-weight:600;text-transform:uppercase;border:1px solid #57606a;border-radius:1rem;padding:0 .5rem;margin-left:.25rem;color:#1f2328}
.updates{margin:.5rem 0 0;padding-left:1.25rem}.updates li{margin-bottom:.5rem;overflow-wrap:anywhere}
small{color:#57606a}
.affected{margin:.25rem 0;color:#57606a}
footer{padding:1.5rem 1rem;color:#57606a}
@media (max-width:30rem){h1{font-size:1.4rem}.component,.incident,.maintenance{padding:.5rem .75rem}}
`;

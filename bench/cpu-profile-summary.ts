/**
 * Summarizes a V8 `.cpuprofile` (as written by `BENCH_CPU_PROFILE=1`): where the sampled time went,
 * self time grouped by package or source area, and the costliest functions by self and by total time.
 *
 *   npx tsx bench/cpu-profile-summary.ts bench/results/<file>.cpuprofile [top=25]
 *
 * Times are in ms, from the profile's sample intervals; `(idle)` is the event loop waiting.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: `node_modules/<package>`, `apps/<app>`, `libs/<lib>`, `node:…`, or V8's own `(…)` entries. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(apps\/[^/]+|libs\/[^/]+|bench)\//.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]!;
  return url;
}

function summarize(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const byArea = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const totalByFunction = new Map<string, number>();
  const label = (node: ProfileNode): string =>
    `${node.callFrame.functionName || '(anonymous)'} ${areaOf(node.callFrame.url, node.callFrame.functionName)}:${node.callFrame.lineNumber + 1}`;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + us);
    // Total time: every distinct function on the sample's stack gets it once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = label(byId.get(at)!);
      if (seen.has(name)) continue;
      seen.add(name);
      totalByFunction.set(name, (totalByFunction.get(name) ?? 0) + us);
    }
  }
  const table = (title: string, entries: Map<string, number>): string =>
    [
      title,
      ...[...entries]
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}`),
    ].join('\n');
  return [
    `sampled ${(totalUs / 1000).toFixed(0)} ms`,
    table('\nself time by area', byArea),
    table('\nself time by function', selfByFunction),
    table('\ntotal time by function', totalByFunction),
  ].join('\n');
}

const [file, top] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [top=25]\n');
  process.exit(2);
}
process.stdout.write(`${summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top ?? 25))}\n`);

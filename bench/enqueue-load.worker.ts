/**
 * The load generator of bench/enqueue.bench.ts, in its own worker thread so that autocannon does not
 * share the event loop of the servers it measures. Started by `runLoad` below; `workerData` is a
 * `LoadSpec`, the answer one `LoadOutcome` message.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  path: string;
  durationSeconds: number;
  connections: number;
  /** Events v2 bodies (trigger and resolve) with `routing_key` set; `dedup_key` is replaced per request. */
  triggerBody: Record<string, unknown>;
  resolveBody: Record<string, unknown>;
  /** Dedup keys are `<keyPrefix>-<n>`; distinct prefixes keep warm-up and measured runs apart. */
  keyPrefix: string;
  /** Share of requests that reuse an earlier dedup key (the rest use a new one, always a trigger). */
  duplicateRatio: number;
  /** Of the requests that reuse a key, the share that resolve it (the rest trigger it again). */
  resolveShare: number;
  seed: number;
  /**
   * The same-key storm: when set, every request is the same trigger with this dedup key (an alert that
   * keeps firing, re-sent by every client at once); `duplicateRatio` and `resolveShare` are ignored.
   */
  sameKey?: string;
}

export interface LoadOutcome {
  result: autocannon.Result;
  /** What the generator built (requests built, not necessarily all sent: the last ones can be cut by the end). */
  generated: { requests: number; newKeys: number; duplicateKeys: number; triggers: number; resolves: number };
}

/** mulberry32: a small seeded PRNG, so both servers get the same sequence of keys and actions. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(spec: LoadSpec): Promise<LoadOutcome> {
  const next = random(spec.seed);
  const keys: string[] = [];
  const generated = { requests: 0, newKeys: 0, duplicateKeys: 0, triggers: 0, resolves: 0 };
  const body = (): string => {
    generated.requests++;
    if (spec.sameKey !== undefined) {
      if (generated.requests === 1) generated.newKeys++;
      else generated.duplicateKeys++;
      generated.triggers++;
      return JSON.stringify({ ...spec.triggerBody, dedup_key: spec.sameKey });
    }
    let dedupKey: string;
    let resolve = false;
    if (keys.length === 0 || next() >= spec.duplicateRatio) {
      dedupKey = `${spec.keyPrefix}-${keys.length}`;
      keys.push(dedupKey);
      generated.newKeys++;
    } else {
      dedupKey = keys[Math.floor(next() * keys.length)] as string;
      resolve = next() < spec.resolveShare;
      generated.duplicateKeys++;
    }
    if (resolve) generated.resolves++;
    else generated.triggers++;
    return JSON.stringify({ ...(resolve ? spec.resolveBody : spec.triggerBody), dedup_key: dedupKey });
  };
  const options: autocannon.Options = {
    url: spec.url,
    connections: spec.connections,
    duration: spec.durationSeconds,
    requests: [
      {
        method: 'POST',
        path: spec.path,
        headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.25.0' },
        setupRequest: (request) => ({ ...request, body: body() }),
      },
    ],
  };
  // Off the main thread autocannon returns its raw, per-worker result (encoded histograms):
  // `aggregateResult` turns it into the usual one (requests/s, latency percentiles, …).
  const raw = await autocannon(options);
  return { result: autocannon.aggregateResult([raw], options), generated };
}

/** Runs one load in a new worker thread (tsx registered there too) and resolves with its outcome. */
export function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(__filename)});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: spec });
    let outcome: LoadOutcome | undefined;
    worker.once('message', (message: { ok: true; outcome: LoadOutcome } | { ok: false; error: string }) => {
      if (message.ok) outcome = message.outcome;
      else reject(new Error(`load generator failed: ${message.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (outcome ? resolve(outcome) : reject(new Error(`load generator exited with code ${code} and no result`))));
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  generate(workerData as LoadSpec).then(
    // JSON round trip: only plain data crosses the thread boundary.
    (outcome) => port.postMessage({ ok: true, outcome: JSON.parse(JSON.stringify(outcome)) as LoadOutcome }),
    (error: unknown) => port.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
}

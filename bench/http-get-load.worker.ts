/**
 * A GET load generator (autocannon) in its own worker thread, so that it does not share the event loop of
 * the server it measures. `runGetLoad` starts one; `workerData` is a `GetLoadSpec`.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

export interface GetLoadSpec {
  url: string;
  durationSeconds: number;
  connections: number;
}

async function generate(spec: GetLoadSpec): Promise<autocannon.Result> {
  const options: autocannon.Options = { url: spec.url, connections: spec.connections, duration: spec.durationSeconds, method: 'GET' };
  const raw = await autocannon(options);
  return autocannon.aggregateResult([raw], options);
}

/** Runs one load in a new worker thread (tsx registered there too). */
export function runGetLoad(spec: GetLoadSpec): Promise<autocannon.Result> {
  const code = `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(__filename)});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: spec });
    let result: autocannon.Result | undefined;
    worker.once('message', (message: { ok: true; result: autocannon.Result } | { ok: false; error: string }) => {
      if (message.ok) result = message.result;
      else reject(new Error(`load generator failed: ${message.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`load generator exited with code ${code} and no result`))));
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  generate(workerData as GetLoadSpec).then(
    (result) => port.postMessage({ ok: true, result: JSON.parse(JSON.stringify(result)) as autocannon.Result }),
    (error: unknown) => port.postMessage({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
}

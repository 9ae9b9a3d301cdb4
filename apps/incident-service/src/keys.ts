import { runApiKeysCli } from './access/cli/api-keys.cli';

/**
 * `npm run keys -- create|list|revoke …` (or `node dist/apps/incident-service/src/keys.js …`): API keys,
 * managed directly in incident-service's database. See `runApiKeysCli`.
 */
void runApiKeysCli(process.argv.slice(2), process.env, { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) }).then((code) => {
  process.exitCode = code;
});

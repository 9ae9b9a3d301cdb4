import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYABLE_SERVICES, type DeployableService } from './deployable-services';
import {
  commandOf,
  copyArguments,
  dependenciesOf,
  environmentOf,
  execArguments,
  healthcheckOf,
  imageReference,
  isInBuildContext,
  kafkaListeners,
  parseDockerfile,
  portsOf,
  readComposeFile,
  stageChain,
  type ComposeService,
} from './compose-file';

const root = join(__dirname, '..', '..');
const compose = readComposeFile(join(root, 'docker-compose.yml'));
const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8');
const nestCli = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { entryFile: string; root: string }> };

type Deployable = DeployableService;
const DEPLOYABLES = DEPLOYABLE_SERVICES;

/** The one compose service whose command runs `script`, with its name. */
function serviceRunning(script: string): [string, ComposeService] {
  const matches = Object.entries(compose.services).filter(([, service]) => commandOf(service).includes(script));
  if (matches.length !== 1) throw new Error(`expected one service running ${script}, found ${matches.length}`);
  return matches[0];
}

/** The one compose service pulled from `repository` (e.g. `postgres`), with its name. */
function serviceFromImage(repository: string): [string, ComposeService] {
  const matches = Object.entries(compose.services).filter(([, { image }]) => image !== undefined && imageReference(image).repository === repository);
  if (matches.length !== 1) throw new Error(`expected one service from image ${repository}, found ${matches.length}`);
  return matches[0];
}

const mainOf = (deployable: Deployable) => serviceRunning(`dist/apps/${deployable.name}/src/main.js`);
const migrateOf = (deployable: Deployable) => serviceRunning(`dist/apps/${deployable.name}/src/migrate.js`);
const fireline = DEPLOYABLES.flatMap((deployable) => [mainOf(deployable), migrateOf(deployable)]);
const [kafkaName, kafka] = serviceFromImage('apache/kafka');
const [postgresName, postgres] = serviceFromImage('postgres');

/** `CREATE ROLE <name> … PASSWORD '<password>'` and `CREATE DATABASE <name> OWNER <role>` of the init script postgres mounts. */
function initScript(): { passwords: Map<string, string>; owners: Map<string, string> } {
  const mount = (postgres.volumes ?? [])
    .map((volume) => (typeof volume === 'string' ? volume.split(':') : [volume.source ?? '', volume.target]))
    .find(([, target]) => target?.startsWith('/docker-entrypoint-initdb.d/'));
  if (!mount) throw new Error(`${postgresName} mounts no init script into /docker-entrypoint-initdb.d/`);
  const sql = readFileSync(join(root, mount[0]), 'utf8');
  const passwords = new Map([...sql.matchAll(/CREATE ROLE (\w+) [^;]*PASSWORD '([^']*)'/gi)].map(([, role, password]) => [role, password]));
  const owners = new Map([...sql.matchAll(/CREATE DATABASE (\w+) OWNER (\w+)/gi)].map(([, database, owner]) => [database, owner]));
  return { passwords, owners };
}

describe('docker-compose.yml and Dockerfile', () => {
  it('uses no ${VAR} interpolation, so the values checked here are the values compose runs', () => {
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8').replaceAll('$$', '');
    expect(text).not.toMatch(/\$/);
  });

  it.each(DEPLOYABLES)('builds $name from the root Dockerfile and runs its nest-cli.json entry file', (deployable) => {
    const project = nestCli.projects[deployable.name];
    expect(commandOf(mainOf(deployable)[1])).toEqual(['node', `dist/${project.entryFile}.js`]);
    expect(commandOf(migrateOf(deployable)[1])).toEqual(['node', `dist/${project.root}/src/migrate.js`]);
    expect(existsSync(join(root, project.root, 'src', 'migrate.ts'))).toBe(true);
    for (const [, service] of [mainOf(deployable), migrateOf(deployable)]) {
      expect(service.build).toEqual(expect.objectContaining({ context: '.', dockerfile: 'Dockerfile' }));
    }
  });

  it.each(DEPLOYABLES)('sets on $name and its migrations only keys its config schema reads', (deployable) => {
    for (const [, service] of [mainOf(deployable), migrateOf(deployable)]) {
      const unknown = Object.keys(environmentOf(service)).filter((key) => !deployable.envKeys.includes(key));
      expect(unknown).toEqual([]);
    }
  });

  it.each(DEPLOYABLES)('gives $name an environment its own loader accepts, on the Kafka transport, migrations left to its migrate service', (deployable) => {
    const config = deployable.loadStandalone(environmentOf(mainOf(deployable)[1]));
    expect(config.messaging.transport).toBe('kafka');
    expect(config.service.database.migrationsRun).toBe(false);
    expect(deployable.loadDatabaseUrl(environmentOf(migrateOf(deployable)[1]))).toBe(config.service.database.url);
  });

  it.each(DEPLOYABLES)('publishes and health-checks the port $name listens on', (deployable) => {
    const [, service] = mainOf(deployable);
    const { port } = deployable.loadStandalone(environmentOf(service)).http;
    expect(port).toBe(deployable.port);
    expect(portsOf(service)).toEqual([{ hostIp: '127.0.0.1', published: deployable.port, target: port }]);
    expect(healthcheckOf(service)).toContain(`http://127.0.0.1:${port}/health/ready`);
    expect(service.restart).toBe('unless-stopped');
  });

  it.each(DEPLOYABLES)('starts $name after its migrations, a healthy PostgreSQL and a healthy Kafka', (deployable) => {
    expect(dependenciesOf(mainOf(deployable)[1])).toEqual({
      [postgresName]: 'service_healthy',
      [kafkaName]: 'service_healthy',
      [migrateOf(deployable)[0]]: 'service_completed_successfully',
    });
    expect(dependenciesOf(migrateOf(deployable)[1])).toEqual({ [postgresName]: 'service_healthy' });
  });

  it('points every KAFKA_BROKERS entry at the in-network listener Kafka advertises', () => {
    const env = environmentOf(kafka);
    const advertised = [...kafkaListeners(env.KAFKA_ADVERTISED_LISTENERS).values()].map(({ host, port }) => `${host}:${port}`);
    for (const deployable of DEPLOYABLES) {
      const { messaging } = deployable.loadStandalone(environmentOf(mainOf(deployable)[1]));
      const brokers = messaging.transport === 'kafka' ? messaging.kafka.brokers : [];
      expect(brokers.length).toBeGreaterThan(0);
      for (const broker of brokers) {
        expect(advertised).toContain(broker);
        expect(broker.split(':')[0]).toBe(kafkaName);
      }
    }
  });

  it('creates topics with settings every service agrees on and one broker can hold', () => {
    const topicSettings = DEPLOYABLES.map((deployable) => {
      const { messaging } = deployable.loadStandalone(environmentOf(mainOf(deployable)[1]));
      return messaging.transport === 'kafka' ? messaging.kafka.topics : undefined;
    });
    expect(new Set(topicSettings.map((settings) => JSON.stringify(settings))).size).toBe(1);
    expect(topicSettings[0]?.replicationFactor).toBe(1);
    expect(environmentOf(kafka).KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('runs the official apache/kafka image as one KRaft broker and controller, with a host listener and no ZooKeeper', () => {
    const env = environmentOf(kafka);
    expect(env.KAFKA_PROCESS_ROLES.split(',').sort()).toEqual(['broker', 'controller']);
    expect(Object.keys(env).filter((key) => /zookeeper/i.test(key))).toEqual([]);
    expect(Object.values(compose.services).filter((service) => /zookeeper/i.test(service.image ?? ''))).toEqual([]);
    const listeners = kafkaListeners(env.KAFKA_LISTENERS);
    const advertised = kafkaListeners(env.KAFKA_ADVERTISED_LISTENERS);
    const controller = env.KAFKA_CONTROLLER_LISTENER_NAMES;
    expect(listeners.has(controller)).toBe(true);
    expect(advertised.has(controller)).toBe(false);
    for (const [name, { port }] of advertised) expect(listeners.get(name)?.port).toBe(port);
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe(`${env.KAFKA_NODE_ID}@${kafkaName}:${listeners.get(controller)?.port}`);
    const host = [...advertised.values()].find(({ host }) => host === 'localhost');
    expect(portsOf(kafka)).toContainEqual({ hostIp: '127.0.0.1', published: host?.port, target: host?.port });
    for (const key of ['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR']) expect(env[key]).toBe('1');
    expect(healthcheckOf(kafka)).toContain('/opt/kafka/bin/');
  });

  it('gives each service its own database on the postgres service, created with its own role by the init script', () => {
    const { passwords, owners } = initScript();
    const databases = DEPLOYABLES.map((deployable) => {
      const url = new URL(environmentOf(mainOf(deployable)[1])[deployable.databaseUrlKey]);
      const database = url.pathname.slice(1);
      expect(url.hostname).toBe(postgresName);
      expect(url.port).toBe('5432');
      expect(owners.get(database)).toBe(url.username);
      expect(passwords.get(url.username)).toBe(decodeURIComponent(url.password));
      return database;
    });
    expect(new Set(databases).size).toBe(DEPLOYABLES.length);
    expect(healthcheckOf(postgres)).toMatch(/pg_isready .*--host=127\.0\.0\.1/);
  });

  it('pins every image it pulls to a version', () => {
    for (const [name, service] of Object.entries(compose.services).filter(([, service]) => service.build === undefined)) {
      const { tag } = imageReference(service.image ?? '');
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^\d+\.\d+/) });
    }
    for (const stage of dockerfile.filter((stage) => !dockerfile.some((other) => other.name === stage.base))) {
      expect(imageReference(stage.base).tag).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('runs Fireline containers as a non-root user on a read-only root file system', () => {
    for (const [name, service] of fireline) {
      const nonRoot = expect.not.stringMatching(/^(root|0)(:|$)/);
      expect({ name, user: service.user, readOnly: service.read_only }).toEqual({ name, user: nonRoot, readOnly: true });
    }
    const runtime = dockerfile[dockerfile.length - 1];
    const user = runtime.instructions.filter((instruction) => instruction.keyword === 'USER').pop()?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('builds in several stages and ships only dist/, package.json and production dependencies', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    const runtime = dockerfile[dockerfile.length - 1];
    expect(runtime.instructions.filter((instruction) => instruction.keyword === 'RUN')).toEqual([]);
    const copies = runtime.instructions.filter((instruction) => instruction.keyword === 'COPY').map((instruction) => copyArguments(instruction.args));
    expect(copies.map(({ sources }) => sources.map((source) => source.replace(/^\/app\//, '')))).toEqual(expect.arrayContaining([['node_modules'], ['dist'], ['package.json']]));
    expect(copies).toHaveLength(3);
    const nodeModules = copies.find(({ sources }) => sources.some((source) => source.endsWith('node_modules')));
    const depsStage = dockerfile.find((stage) => stage.name === nodeModules?.flags.from);
    const installs = depsStage?.instructions.filter((instruction) => instruction.keyword === 'RUN' && /\bnpm ci\b/.test(instruction.args)) ?? [];
    expect(installs.length).toBe(1);
    expect(installs[0].args).toContain('--omit=dev');
    expect(runtime.instructions.find((instruction) => instruction.keyword === 'ENV')?.args).toMatch(/NODE_ENV=production/);
  });

  it('installs dependencies with npm 11 and .npmrc in place, so the allowScripts policy applies', () => {
    for (const stage of dockerfile.filter((candidate) => candidate.instructions.some((instruction) => /\bnpm ci\b/.test(instruction.args)))) {
      const chain = stageChain(dockerfile, stage).flatMap((link) => link.instructions);
      const before = chain.slice(0, chain.findIndex((instruction) => /\bnpm ci\b/.test(instruction.args)));
      const copied = before.filter((instruction) => instruction.keyword === 'COPY').flatMap((instruction) => copyArguments(instruction.args).sources);
      expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', '.npmrc']));
      const npm = before.map((instruction) => /\bnpm@(\d+)\./.exec(instruction.args)?.[1]).find(Boolean);
      expect(Number(npm)).toBeGreaterThanOrEqual(11);
    }
  });

  it('copies into the image only files that exist and that .dockerignore keeps in the build context', () => {
    const sources = dockerfile
      .flatMap((stage) => stage.instructions.filter((instruction) => instruction.keyword === 'COPY'))
      .map((instruction) => copyArguments(instruction.args))
      .filter(({ flags }) => flags.from === undefined)
      .flatMap(({ sources }) => sources);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(root, source)), inContext: isInBuildContext(source, dockerignore) }).toEqual({ source, exists: true, inContext: true });
    }
    for (const kept of ['apps/incident-service/src/main.ts', 'libs/messaging/src/index.ts']) expect(isInBuildContext(kept, dockerignore)).toBe(true);
    const leftOut = ['node_modules', 'dist', '.git', '.fireline', 'apps/incident-service/src/incidents/domain/incident.decider.spec.ts'];
    for (const path of leftOut) expect(isInBuildContext(path, dockerignore)).toBe(false);
  });

  it('starts incident-service by default, an entry file nest-cli.json builds', () => {
    const cmd = dockerfile[dockerfile.length - 1].instructions.filter((instruction) => instruction.keyword === 'CMD').pop();
    expect(execArguments(cmd?.args ?? '')).toEqual(['node', `dist/${nestCli.projects['incident-service'].entryFile}.js`]);
  });
});

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The part of a Compose service that test/deploy reads. Format: the Compose Specification,
 * https://github.com/compose-spec/compose-spec/blob/main/spec.md (`services` top-level element).
 */
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number; host_ip?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  user?: string;
  read_only?: boolean;
  restart?: string;
}

/** A parsed `docker-compose.yml`: its services and named volumes. */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Parses a Compose file as Compose does, `<<` merge keys included (YAML 1.2 leaves them off). */
export function readComposeFile(path: string): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * A service's `environment` as the container gets it: list (`KEY=value`) or map form, numbers as
 * strings. Booleans are rejected, as Compose does (`true` must be quoted). A key without a value is
 * taken from the shell by Compose; here it is left out.
 */
export function environmentOf(service: ComposeService): Record<string, string> {
  const entries: [string, unknown][] = Array.isArray(service.environment)
    ? service.environment.filter((entry) => entry.includes('=')).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)])
    : Object.entries(service.environment ?? {});
  const environment: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (typeof value === 'boolean') throw new Error(`environment ${key}: quote booleans ("${String(value)}"), Compose rejects them unquoted`);
    if (value !== null && value !== undefined) environment[key] = String(value);
  }
  return environment;
}

/** `command` as an argv: the exec (list) form as is, the string form split on spaces. */
export function commandOf(service: ComposeService): string[] {
  if (service.command === undefined) return [];
  return Array.isArray(service.command) ? service.command : service.command.split(/\s+/).filter(Boolean);
}

/** The healthcheck's `test` as one string (`CMD`/`CMD-SHELL` prefix dropped), or undefined when there is none. */
export function healthcheckOf(service: ComposeService): string | undefined {
  const test = service.healthcheck?.disable ? undefined : service.healthcheck?.test;
  if (test === undefined) return undefined;
  if (typeof test === 'string') return test;
  return test.filter((part, index) => index > 0 || (part !== 'CMD' && part !== 'CMD-SHELL')).join(' ');
}

/** `depends_on` in its long form: dependency -> condition (`service_started` when the short list form is used). */
export function dependenciesOf(service: ComposeService): Record<string, string> {
  const dependsOn = service.depends_on ?? {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, { condition }]) => [name, condition ?? 'service_started']));
}

/** One published port: `[host_ip:][published:]target[/protocol]` or the long form. */
export interface PublishedPort {
  hostIp?: string;
  published?: number;
  target: number;
}

/** A service's `ports`, short syntax parsed (single ports only; a range is reported as an error). */
export function portsOf(service: ComposeService): PublishedPort[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return { hostIp: port.host_ip, published: port.published === undefined ? undefined : Number(port.published), target: port.target };
    const parts = String(port).replace(/\/(tcp|udp)$/, '').split(':');
    if (parts.some((part) => part.includes('-'))) throw new Error(`port ranges are not supported here: ${port}`);
    const target = Number(parts.pop());
    const published = parts.length > 0 ? Number(parts.pop()) : undefined;
    return { hostIp: parts.length > 0 ? parts.join(':') : undefined, published, target };
  });
}

/** `image` split into repository and tag (`undefined` when the reference has no tag, which means `latest`). */
export function imageReference(image: string): { repository: string; tag?: string } {
  const withoutDigest = image.split('@')[0];
  const lastColon = withoutDigest.lastIndexOf(':');
  if (lastColon <= withoutDigest.lastIndexOf('/')) return { repository: withoutDigest };
  return { repository: withoutDigest.slice(0, lastColon), tag: withoutDigest.slice(lastColon + 1) };
}

/**
 * Kafka's `listeners` / `advertised.listeners` value (`NAME://host:port,…`, host may be empty) as
 * listener name -> { host, port }. Format: https://kafka.apache.org/documentation/#brokerconfigs_listeners
 */
export function kafkaListeners(value: string): Map<string, { host: string; port: number }> {
  const listeners = new Map<string, { host: string; port: number }>();
  for (const listener of value.split(',').map((entry) => entry.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_]+):\/\/([^:]*):(\d+)$/.exec(listener);
    if (!match) throw new Error(`not a Kafka listener: ${listener}`);
    listeners.set(match[1], { host: match[2], port: Number(match[3]) });
  }
  return listeners;
}

/** One Dockerfile instruction, continuation lines joined: `COPY --from=build /app/dist ./dist` -> { keyword: 'COPY', args: '--from=build /app/dist ./dist' }. */
export interface DockerfileInstruction {
  keyword: string;
  args: string;
}

/** A build stage: `FROM <base> [AS <name>]` and the instructions after it. */
export interface DockerfileStage {
  base: string;
  name?: string;
  instructions: DockerfileInstruction[];
}

/**
 * Splits a Dockerfile into stages. Enough of the format for our own Dockerfile
 * (https://docs.docker.com/reference/dockerfile/): `\` continuations, `#` comment lines (parser
 * directives included), no heredocs, no custom escape character.
 */
export function parseDockerfile(text: string): DockerfileStage[] {
  const instructions: DockerfileInstruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (line.trim().startsWith('#') || (pending === '' && line.trim() === '')) continue;
    const continued = /\\\s*$/.test(line);
    pending += ` ${line.replace(/\\\s*$/, '').trim()}`;
    if (continued) continue;
    const [keyword, ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
    pending = '';
  }
  const stages: DockerfileStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [base, as, name] = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      stages.push({ base, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`${instruction.keyword} before the first FROM`);
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** A stage and every stage it is built `FROM`, the root first. */
export function stageChain(stages: DockerfileStage[], stage: DockerfileStage): DockerfileStage[] {
  const parent = stages.find((candidate) => candidate.name !== undefined && candidate.name === stage.base);
  return parent ? [...stageChain(stages, parent), stage] : [stage];
}

/** `COPY`/`ADD` arguments: flags (`--from=build`) and sources, destination last; the JSON form is accepted. */
export function copyArguments(args: string): { flags: Record<string, string>; sources: string[]; destination: string } {
  const words = args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const flags: Record<string, string> = {};
  const paths: string[] = [];
  for (const word of words) {
    if (word.startsWith('--')) {
      const [flag, value = ''] = word.slice(2).split('=');
      flags[flag] = value;
    } else {
      paths.push(word);
    }
  }
  const destination = paths.pop();
  if (destination === undefined || paths.length === 0) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { flags, sources: paths, destination };
}

/** `CMD`/`ENTRYPOINT` in exec (JSON) form as an argv; the shell form is returned as `sh -c <args>`. */
export function execArguments(args: string): string[] {
  return args.trim().startsWith('[') ? (JSON.parse(args) as string[]) : ['/bin/sh', '-c', args];
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (pattern.startsWith('**/', index)) {
      source += '(?:.*/)?';
      index += 2;
    } else if (pattern.startsWith('**', index)) {
      source += '.*';
      index += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Whether `.dockerignore` keeps `path` (relative to the context, `/`-separated) in the build
 * context. Docker's rules (https://docs.docker.com/build/concepts/context/#dockerignore-files):
 * a pattern matches a path or any of its parent directories, `!` re-includes, the last match wins.
 * Character classes (`[a-z]`) are not supported.
 */
export function isInBuildContext(path: string, dockerignore: string): boolean {
  const segments = path.replace(/^\.\//, '').split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let included = true;
  for (const line of dockerignore.split('\n').map((entry) => entry.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = globToRegExp((negated ? line.slice(1) : line).trim().replace(/^\/+|\/+$/g, ''));
    if (candidates.some((candidate) => pattern.test(candidate))) included = negated;
  }
  return included;
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join, resolve } from 'node:path';
import { isAlias, isNode, parseAllDocuments, visit } from 'yaml';

/**
 * A Kubernetes object as read from YAML. Only what the renderer itself needs is typed; the rest is
 * checked by the Kubernetes schemas in the test.
 */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** A JSON value after YAML parsing: what patches walk through. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const NAMESPACED_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Service',
  'Deployment',
  'Job',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
]);
const CLUSTER_SCOPED_KINDS = new Set(['Namespace']);
/** Kinds whose pod template is at `spec.template` (kustomize's `templateLabels` field specs, less CronJob). */
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);
/** Kinds the `replicas` field acts on (kustomize's `replicas` field specs, less ReplicationController). */
const SCALABLE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * Renders a kustomization directory the way `kubectl kustomize <dir>` would, for the fields Fireline's
 * `k8s/` uses, so that a test can check the result without a kustomize binary. This is a SUBSET of
 * Kustomize (https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/), and
 * `kubectl kustomize` / `kustomize build` is the real thing: when they disagree, this file is wrong.
 *
 * Supported, in kustomize's own order (api/internal/target/kusttarget_configplugin.go: patches,
 * namespace, labels, replicas, images):
 * - `resources`: local YAML files (multi-document) and directories holding a kustomization;
 * - `patches`: from `path` or inline `patch`; a YAML list is a JSON6902 patch (RFC 6902 `add`, `remove`,
 *   `replace`, `test`) applied to every object `target` selects (`group`, `version`, `kind`, `name`);
 *   an object is a strategic-merge patch of maps only (lists, `$patch` directives: not supported),
 *   aimed by `target` or by its own kind and name;
 * - `namespace` (on namespaced objects); `labels` (`pairs`, `includeTemplates`; not `includeSelectors`);
 * - `replicas` (`name`, `count`); `images` (`name`, `newName`, `newTag`, `digest`; containers and
 *   initContainers of pod templates).
 * Any other kustomization field, option or object kind throws, and so do a few things real kustomize lets
 * pass quietly (a patch, `replicas` or `images` entry that matches nothing, YAML anchors), because here
 * they can only be typos.
 * @throws Error naming the kustomization file and what it does not understand.
 */
export function renderKustomization(directory: string): KubernetesObject[] {
  const file = kustomizationFile(directory);
  const [document, ...extra] = readYamlDocuments(file);
  if (extra.length > 0 || !isObject(document)) throw new Error(`${file}: expected one kustomization object`);
  const kustomization = document;
  allowOnly(file, kustomization, ['apiVersion', 'kind', 'resources', 'patches', 'namespace', 'labels', 'replicas', 'images']);
  if (kustomization.apiVersion !== undefined && kustomization.apiVersion !== 'kustomize.config.k8s.io/v1beta1')
    throw new Error(`${file}: unsupported apiVersion ${String(kustomization.apiVersion)}`);
  if (kustomization.kind !== undefined && kustomization.kind !== 'Kustomization')
    throw new Error(`${file}: unsupported kind ${String(kustomization.kind)}`);

  const objects: KubernetesObject[] = [];
  for (const entry of listOf(file, 'resources', kustomization.resources)) {
    if (typeof entry !== 'string' || /^[a-z]+:\/\//i.test(entry) || entry.startsWith('github.com/'))
      throw new Error(`${file}: resources: only local paths are supported, got ${JSON.stringify(entry)}`);
    const path = resolve(directory, entry);
    if (!existsSync(path)) throw new Error(`${file}: resources: ${entry} does not exist`);
    objects.push(...(statSync(path).isDirectory() ? renderKustomization(path) : readManifests(path)));
  }
  rejectDuplicates(file, objects);

  for (const [index, entry] of listOf(file, 'patches', kustomization.patches).entries())
    applyPatch(`${file}: patches[${index}]`, directory, entry, objects);
  if (kustomization.namespace !== undefined) setNamespace(file, kustomization.namespace, objects);
  for (const [index, entry] of listOf(file, 'labels', kustomization.labels).entries())
    addLabels(`${file}: labels[${index}]`, entry, objects);
  for (const [index, entry] of listOf(file, 'replicas', kustomization.replicas).entries())
    setReplicas(`${file}: replicas[${index}]`, entry, objects);
  for (const [index, entry] of listOf(file, 'images', kustomization.images).entries())
    setImage(`${file}: images[${index}]`, entry, objects);
  return objects;
}

/**
 * The Kubernetes objects of one YAML file (multi-document, `---`-separated; empty documents skipped).
 * @throws Error on YAML errors, anchors/aliases, or a document that is not an object with apiVersion, kind and metadata.name.
 */
export function readManifests(file: string): KubernetesObject[] {
  return readYamlDocuments(file).map((document, index) => {
    if (
      !isObject(document) ||
      typeof document.apiVersion !== 'string' ||
      typeof document.kind !== 'string' ||
      !isObject(document.metadata) ||
      typeof document.metadata.name !== 'string'
    ) {
      throw new Error(`${file}: document ${index + 1} is not a Kubernetes object with apiVersion, kind and metadata.name`);
    }
    return document as unknown as KubernetesObject;
  });
}

function readYamlDocuments(file: string): Json[] {
  const text = readFileSync(file, 'utf8');
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) throw new Error(`${file}: not YAML documents`);
  const values: Json[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
    // Aliases would make the parsed objects share nodes, so that a patch of one changes the others.
    visit(document, (_key, node) => {
      if (isAlias(node) || (isNode(node) && node.anchor !== undefined))
        throw new Error(`${file}: YAML anchors and aliases are not supported`);
    });
    const value = document.toJS() as Json;
    if (value !== null) values.push(value);
  }
  return values;
}

function kustomizationFile(directory: string): string {
  const found = KUSTOMIZATION_FILES.map((name) => join(directory, name)).filter((path) => existsSync(path));
  if (found.length !== 1) throw new Error(`${directory}: expected exactly one of ${KUSTOMIZATION_FILES.join(', ')}, found ${found.length}`);
  return found[0];
}

function applyPatch(where: string, directory: string, entry: Json, objects: KubernetesObject[]): void {
  if (!isObject(entry)) throw new Error(`${where}: expected an object`);
  allowOnly(where, entry, ['path', 'patch', 'target']);
  if ((entry.path === undefined) === (entry.patch === undefined)) throw new Error(`${where}: needs exactly one of path and patch`);
  const source = typeof entry.path === 'string' ? readFileSync(resolve(directory, entry.path), 'utf8') : entry.patch;
  if (typeof source !== 'string') throw new Error(`${where}: path or patch must be a string`);
  const documents = parseAllDocuments(source);
  if (!Array.isArray(documents) || documents.length !== 1 || documents[0].errors.length > 0)
    throw new Error(`${where}: expected one YAML document`);
  const patch = documents[0].toJS() as Json;

  let targets: KubernetesObject[];
  if (entry.target !== undefined) {
    targets = objects.filter((object) => selects(where, entry.target!, object));
  } else {
    if (!isObject(patch) || !isObject(patch.metadata))
      throw new Error(`${where}: a patch without target must be a strategic-merge patch naming its object`);
    const { apiVersion, kind, metadata } = patch;
    targets = objects.filter(
      (object) =>
        object.apiVersion === apiVersion &&
        object.kind === kind &&
        object.metadata.name === metadata.name &&
        (metadata.namespace === undefined || object.metadata.namespace === metadata.namespace),
    );
  }
  if (targets.length === 0) throw new Error(`${where}: matches no object`);

  for (const target of targets) {
    const where2 = `${where} on ${target.kind}/${target.metadata.name}`;
    if (Array.isArray(patch)) applyJson6902(where2, target as unknown as JsonObject, patch);
    else if (isObject(patch)) mergeMaps(where2, target as unknown as JsonObject, patch, '');
    else throw new Error(`${where}: a patch is a list of JSON6902 operations or a strategic-merge object`);
  }
}

function selects(where: string, target: Json, object: KubernetesObject): boolean {
  if (!isObject(target)) throw new Error(`${where}: target must be an object`);
  allowOnly(`${where}: target`, target, ['group', 'version', 'kind', 'name']);
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  // kustomize matches names as anchored regular expressions.
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || new RegExp(`^(?:${String(target.name)})$`).test(object.metadata.name))
  );
}

/** RFC 6902 on `document`, in place: `add`, `remove`, `replace`, `test`. */
function applyJson6902(where: string, document: JsonObject, operations: Json[]): void {
  for (const [index, operation] of operations.entries()) {
    const at = `${where}: operation ${index}`;
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string')
      throw new Error(`${at}: expected { op, path }`);
    allowOnly(at, operation, operation.op === 'remove' ? ['op', 'path'] : ['op', 'path', 'value']);
    const tokens = operation.path
      .split('/')
      .slice(1)
      .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (!operation.path.startsWith('/') || tokens.length === 0)
      throw new Error(`${at}: path must point inside the object, got ${JSON.stringify(operation.path)}`);
    const last = tokens.pop()!;
    let parent: Json = document;
    for (const token of tokens) {
      const child: Json | undefined = Array.isArray(parent)
        ? parent[arrayIndex(at, token, parent.length - 1)]
        : isObject(parent)
          ? parent[token]
          : undefined;
      if (child === undefined) throw new Error(`${at}: ${operation.path} does not exist`);
      parent = child;
    }
    const value = structuredClone(operation.value) as Json;
    if (Array.isArray(parent)) {
      if (operation.op === 'add') {
        parent.splice(last === '-' ? parent.length : arrayIndex(at, last, parent.length), 0, value);
        continue;
      }
      const i = arrayIndex(at, last, parent.length - 1);
      if (operation.op === 'remove') parent.splice(i, 1);
      else if (operation.op === 'replace') parent[i] = value;
      else if (operation.op === 'test') assertEqual(at, parent[i], value);
      else throw new Error(`${at}: op ${operation.op} is not supported`);
    } else if (isObject(parent)) {
      const exists = Object.prototype.hasOwnProperty.call(parent, last);
      if (operation.op !== 'add' && !exists) throw new Error(`${at}: ${operation.path} does not exist`);
      if (operation.op === 'add' || operation.op === 'replace') parent[last] = value;
      else if (operation.op === 'remove') delete parent[last];
      else if (operation.op === 'test') assertEqual(at, parent[last], value);
      else throw new Error(`${at}: op ${operation.op} is not supported`);
    } else {
      throw new Error(`${at}: ${operation.path} has no object or array parent`);
    }
  }
}

function arrayIndex(where: string, token: string, max: number): number {
  if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) > max) throw new Error(`${where}: array index ${token} out of range 0..${max}`);
  return Number(token);
}

function assertEqual(where: string, actual: Json | undefined, expected: Json): void {
  if (!isDeepStrictEqual(actual, expected))
    throw new Error(`${where}: test failed, found ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

/** Strategic merge restricted to maps: nested objects merge, `null` deletes, scalars replace. */
function mergeMaps(where: string, target: JsonObject, patch: JsonObject, path: string): void {
  for (const [key, value] of Object.entries(patch)) {
    const at = `${path}/${key}`;
    if (key.startsWith('$')) throw new Error(`${where}: directive ${at} is not supported`);
    if (Array.isArray(value))
      throw new Error(`${where}: ${at} is a list; lists merge by per-field strategies this renderer does not know, use a JSON6902 patch`);
    if (value === null) delete target[key];
    else if (isObject(value)) {
      if (!isObject(target[key])) target[key] = {};
      mergeMaps(where, target[key] as JsonObject, value, at);
    } else target[key] = value;
  }
}

function setNamespace(file: string, namespace: Json, objects: KubernetesObject[]): void {
  if (typeof namespace !== 'string' || namespace === '') throw new Error(`${file}: namespace must be a non-empty string`);
  for (const object of objects) {
    if (NAMESPACED_KINDS.has(object.kind)) object.metadata.namespace = namespace;
    else if (!CLUSTER_SCOPED_KINDS.has(object.kind))
      throw new Error(`${file}: namespace: does not know whether ${object.kind} is namespaced (or how kustomize rewrites its references)`);
  }
}

function addLabels(where: string, entry: Json, objects: KubernetesObject[]): void {
  if (!isObject(entry) || !isObject(entry.pairs)) throw new Error(`${where}: expected { pairs }`);
  allowOnly(where, entry, ['pairs', 'includeTemplates', 'includeSelectors']);
  if (entry.includeSelectors !== undefined && entry.includeSelectors !== false)
    throw new Error(`${where}: includeSelectors is not supported (selectors are immutable; add labels to metadata and templates only)`);
  const pairs = entry.pairs;
  for (const value of Object.values(pairs)) if (typeof value !== 'string') throw new Error(`${where}: label values must be strings`);
  for (const object of objects) {
    object.metadata.labels = { ...object.metadata.labels, ...(pairs as Record<string, string>) };
    if (entry.includeTemplates !== true) continue;
    if (object.kind === 'CronJob') throw new Error(`${where}: includeTemplates on a CronJob is not supported`);
    if (!POD_TEMPLATE_KINDS.has(object.kind)) continue;
    const template = podTemplate(object);
    template.metadata = {
      ...(template.metadata as JsonObject),
      labels: { ...((template.metadata as JsonObject | undefined)?.labels as JsonObject), ...pairs },
    };
  }
}

function setReplicas(where: string, entry: Json, objects: KubernetesObject[]): void {
  if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.count !== 'number' || !Number.isInteger(entry.count))
    throw new Error(`${where}: expected { name, count }`);
  allowOnly(where, entry, ['name', 'count']);
  const targets = objects.filter((object) => SCALABLE_KINDS.has(object.kind) && object.metadata.name === entry.name);
  if (targets.length === 0) throw new Error(`${where}: no Deployment, ReplicaSet or StatefulSet named ${entry.name}`);
  for (const target of targets) (target.spec as JsonObject).replicas = entry.count;
}

function setImage(where: string, entry: Json, objects: KubernetesObject[]): void {
  if (!isObject(entry) || typeof entry.name !== 'string') throw new Error(`${where}: expected { name }`);
  allowOnly(where, entry, ['name', 'newName', 'newTag', 'digest']);
  for (const key of ['newName', 'newTag', 'digest'] as const)
    if (entry[key] !== undefined && typeof entry[key] !== 'string') throw new Error(`${where}: ${key} must be a string`);
  let matched = 0;
  for (const object of objects) {
    if (object.kind === 'CronJob' || object.kind === 'Pod') throw new Error(`${where}: images in a ${object.kind} are not supported`);
    if (!POD_TEMPLATE_KINDS.has(object.kind)) continue;
    const spec = podTemplate(object).spec as JsonObject;
    for (const container of [
      ...((spec.initContainers as JsonObject[] | undefined) ?? []),
      ...((spec.containers as JsonObject[] | undefined) ?? []),
    ]) {
      const image = parseImage(String(container.image));
      if (image.name !== entry.name) continue;
      const name = (entry.newName as string | undefined) ?? image.name;
      const digest = (entry.digest as string | undefined) ?? (entry.newTag === undefined ? image.digest : undefined);
      const tag = (entry.newTag as string | undefined) ?? image.tag;
      // As kustomize: a digest wins over a tag.
      container.image = digest ? `${name}@${digest}` : tag ? `${name}:${tag}` : name;
      matched += 1;
    }
  }
  if (matched === 0) throw new Error(`${where}: no container uses image ${entry.name}`);
}

/** `registry:5000/repo/name:tag@sha256:…` into its parts; a colon before the last slash is a registry port. */
function parseImage(reference: string): { name: string; tag?: string; digest?: string } {
  const [withoutDigest, digest] = reference.split('@', 2);
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > withoutDigest.lastIndexOf('/')) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, digest };
}

function podTemplate(object: KubernetesObject): JsonObject {
  const spec = object.spec;
  if (!isObject(spec as Json) || !isObject((spec as JsonObject).template))
    throw new Error(`${object.kind}/${object.metadata.name}: no spec.template`);
  return (spec as JsonObject).template as JsonObject;
}

function rejectDuplicates(file: string, objects: KubernetesObject[]): void {
  const seen = new Set<string>();
  for (const object of objects) {
    // kustomize's resource id: group (not version), kind, namespace, name.
    const id = `${object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : ''}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    if (seen.has(id)) throw new Error(`${file}: ${object.kind}/${object.metadata.name} is defined twice`);
    seen.add(id);
  }
}

function listOf(file: string, field: string, value: Json | undefined): Json[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${file}: ${field} must be a list`);
  return value;
}

function allowOnly(where: string, value: JsonObject, keys: readonly string[]): void {
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0)
    throw new Error(
      `${where}: ${unknown.join(', ')} not supported by this kustomize subset (supported: ${keys.join(', ')}); check with kubectl kustomize`,
    );
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

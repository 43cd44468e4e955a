/**
 * `kustomize build`, for exactly the features deploy/kubernetes uses, so the tests can render
 * the base and the overlays without kubectl: `resources` (files, and directories holding a
 * kustomization), `components` (kind Component), `patches` given inline as JSON 6902
 * operations (add, remove, replace, test) with a `target` of kind and name, `replicas`, and
 * `images`. Anything else in a kustomization.yaml is an error here rather than something
 * silently left out of what the tests check: a manifest that starts using another feature
 * must teach it to this file first.
 *
 * Where kustomize would let it pass, this is stricter: a patch, replica count or image that
 * matches no resource is an error, as it is always a mistake in these manifests.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Resource extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string };
}

export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'test';
  readonly path: string;
  readonly value?: Json;
}

const KUSTOMIZATION_KEYS = new Set(
  ['apiVersion', 'kind', 'resources', 'components', 'patches', 'replicas', 'images']);
const KINDS = {
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
  Component: 'kustomize.config.k8s.io/v1alpha1',
} as const;

/**
 * Every document of a YAML file. kubectl reads YAML 1.1 (an 0440 is octal there, 440 in YAML
 * 1.2), so the tests read it that way too.
 */
export function parseYaml(text: string, source: string): Json[] {
  return parseAllDocuments(text, { version: '1.1' }).flatMap((document) => {
    if (document.errors.length > 0) {
      throw new Error(`${source}: ${document.errors.map((error) => error.message).join('; ')}`);
    }
    const value = document.toJS({ maxAliasCount: 0 }) as Json;
    return value === null ? [] : [value];
  });
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The resources `kustomize build dir` would print (in the order they were declared). */
export function build(dir: string): Resource[] {
  return accumulate(resolve(dir), [], 'Kustomization');
}

function accumulate(dir: string, inherited: readonly Resource[],
  kind: keyof typeof KINDS): Resource[] {
  const file = join(dir, 'kustomization.yaml');
  const [kustomization, ...extra] = parseYaml(readFileSync(file, 'utf8'), file);
  if (!isObject(kustomization) || extra.length > 0) throw new Error(`${file}: not one mapping`);
  for (const key of Object.keys(kustomization)) {
    if (!KUSTOMIZATION_KEYS.has(key)) throw new Error(`${file}: "${key}" is not supported here`);
  }
  if (kustomization.kind !== kind || kustomization.apiVersion !== KINDS[kind]) {
    throw new Error(`${file}: expected ${KINDS[kind]} ${kind}`);
  }
  let resources = structuredClone([...inherited]);
  for (const entry of stringList(kustomization.resources, `${file}: resources`)) {
    const path = resolve(dir, entry);
    resources.push(...(statSync(path).isDirectory() ? accumulate(path, [], 'Kustomization')
      : parseYaml(readFileSync(path, 'utf8'), path).map((doc) => asResource(doc, path))));
  }
  for (const entry of stringList(kustomization.components, `${file}: components`)) {
    resources = accumulate(resolve(dir, entry), resources, 'Component');
  }
  for (const patch of list(kustomization.patches, `${file}: patches`)) {
    applyPatch(resources, patch, file);
  }
  for (const replicas of list(kustomization.replicas, `${file}: replicas`)) {
    setReplicas(resources, replicas, file);
  }
  for (const image of list(kustomization.images, `${file}: images`)) {
    setImage(resources, image, file);
  }
  const ids = resources.map((resource) => `${resource.kind}/${resource.metadata.name}`);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw new Error(`${file}: ${twice} is declared twice`);
  return resources;
}

function asResource(doc: Json, source: string): Resource {
  if (!isObject(doc) || typeof doc.apiVersion !== 'string' || typeof doc.kind !== 'string' ||
    !isObject(doc.metadata) || typeof doc.metadata.name !== 'string') {
    throw new Error(`${source}: a document without apiVersion, kind and metadata.name`);
  }
  return doc as Resource;
}

function list(value: Json | undefined, what: string): JsonObject[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) throw new Error(`${what}: not a list`);
  return value as JsonObject[];
}

function stringList(value: Json | undefined, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${what}: not a list of paths`);
  }
  return value as string[];
}

function onlyKeys(object: JsonObject, keys: readonly string[], what: string): void {
  for (const key of Object.keys(object)) {
    if (!keys.includes(key)) throw new Error(`${what}: "${key}" is not supported here`);
  }
}

function applyPatch(resources: Resource[], patch: JsonObject, file: string): void {
  onlyKeys(patch, ['target', 'patch'], `${file}: a patch`);
  const { target } = patch;
  if (!isObject(target) || typeof patch.patch !== 'string') {
    throw new Error(`${file}: a patch needs a target and an inline patch`);
  }
  onlyKeys(target, ['kind', 'name'], `${file}: a patch target`);
  const [operations] = parseYaml(patch.patch, `${file}: patch`);
  if (!Array.isArray(operations)) {
    throw new Error(`${file}: only JSON 6902 patches (a list of operations) are supported`);
  }
  const matched = resources.filter((resource) =>
    resource.kind === target.kind && resource.metadata.name === target.name);
  if (matched.length === 0) throw new Error(`${file}: no resource matches a patch's target`);
  for (const resource of matched) {
    for (const operation of operations) {
      if (!isObject(operation)) throw new Error(`${file}: a patch operation is not a mapping`);
      applyOperation(resource, operation as unknown as PatchOperation);
    }
  }
}

function setReplicas(resources: Resource[], replicas: JsonObject, file: string): void {
  onlyKeys(replicas, ['name', 'count'], `${file}: replicas`);
  const matched = resources.filter((resource) => resource.metadata.name === replicas.name &&
    ['Deployment', 'ReplicaSet', 'StatefulSet'].includes(resource.kind));
  if (matched.length === 0 || typeof replicas.count !== 'number') {
    throw new Error(`${file}: replicas for ${String(replicas.name)} match nothing`);
  }
  for (const resource of matched) (resource.spec as JsonObject).replicas = replicas.count;
}

function setImage(resources: Resource[], image: JsonObject, file: string): void {
  onlyKeys(image, ['name', 'newName', 'newTag', 'digest'], `${file}: images`);
  let matches = 0;
  for (const container of resources.flatMap(containersOf)) {
    const current = String(container.image);
    const at = current.indexOf('@');
    const colon = current.lastIndexOf(':');
    const end = at >= 0 ? at : colon > current.lastIndexOf('/') ? colon : current.length;
    if (current.slice(0, end) !== image.name) continue;
    matches++;
    const name = typeof image.newName === 'string' ? image.newName : current.slice(0, end);
    const rest = current.slice(end);
    container.image = typeof image.digest === 'string' ? `${name}@${image.digest}`
      : typeof image.newTag === 'string' ? `${name}:${image.newTag}` : `${name}${rest}`;
  }
  if (matches === 0) throw new Error(`${file}: image ${String(image.name)} matches nothing`);
}

/** The pod spec of a workload: a template's, or a CronJob's job template's. */
export function podSpecOf(resource: Resource): JsonObject | undefined {
  const spec = resource.spec;
  if (!isObject(spec)) return undefined;
  const template = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec)
    ? spec.jobTemplate.spec.template : spec.template;
  return isObject(template) && isObject(template.spec) ? template.spec : undefined;
}

export function containersOf(resource: Resource): JsonObject[] {
  const pod = podSpecOf(resource);
  if (pod === undefined) return [];
  return [pod.initContainers, pod.containers].flatMap((containers) =>
    (Array.isArray(containers) ? containers.filter(isObject) : []));
}

/** One JSON 6902 operation on `document`, in place; throws where the operation fails. */
export function applyOperation(document: Json, operation: PatchOperation): void {
  const { op, path } = operation;
  if (!['add', 'remove', 'replace', 'test'].includes(op)) {
    throw new Error(`patch op "${op}" is not supported here`);
  }
  if (op !== 'remove' && operation.value === undefined) throw new Error(`${op} ${path}: no value`);
  const tokens = path.split('/').slice(1).map((token) =>
    token.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = tokens.pop();
  if (!path.startsWith('/') || last === undefined) throw new Error(`bad patch path "${path}"`);
  let parent: Json | undefined = document;
  for (const token of tokens) parent = child(parent, token, path);
  const value = structuredClone(operation.value) as Json;
  if (Array.isArray(parent)) {
    const index = last === '-' && op === 'add' ? parent.length : arrayIndex(parent, last, path,
      op === 'add');
    if (op === 'add') parent.splice(index, 0, value);
    else if (op === 'remove') parent.splice(index, 1);
    else if (op === 'replace') parent[index] = value;
    else if (!isDeepStrictEqual(parent[index], value)) throw new Error(`test ${path} failed`);
  } else if (isObject(parent)) {
    if (op !== 'add' && !(last in parent)) throw new Error(`${op} ${path}: no such member`);
    if (op === 'remove') delete parent[last];
    else if (op === 'test') {
      if (!isDeepStrictEqual(parent[last], value)) throw new Error(`test ${path} failed`);
    } else parent[last] = value;
  } else {
    throw new Error(`${op} ${path}: the parent is not an object or array`);
  }
}

function child(parent: Json | undefined, token: string, path: string): Json | undefined {
  if (Array.isArray(parent)) return parent[arrayIndex(parent, token, path, false)];
  if (isObject(parent) && token in parent) return parent[token];
  throw new Error(`${path}: no member "${token}"`);
}

function arrayIndex(array: readonly Json[], token: string, path: string, orEnd: boolean): number {
  const index = /^(?:0|[1-9][0-9]*)$/.test(token) ? Number(token) : Number.NaN;
  if (!(index < array.length || (orEnd && index === array.length))) {
    throw new Error(`${path}: no index ${token}`);
  }
  return index;
}

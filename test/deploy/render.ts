/** The manifests as the tests see them: each kustomization under deploy/kubernetes, rendered. */
import { fileURLToPath } from 'node:url';
import { build, isObject, type Json, type JsonObject, type Resource } from './kustomize.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const KUSTOMIZE = new URL('../../deploy/kubernetes/', import.meta.url);

/** Each buildable kustomization and the member count it runs. */
export const RENDERINGS = [
  { name: 'base', dir: 'base', members: 3 },
  { name: 'three', dir: 'overlays/three', members: 3 },
  { name: 'five', dir: 'overlays/five', members: 5 },
] as const;

export function render(dir: string): Resource[] {
  return build(fileURLToPath(new URL(dir, KUSTOMIZE)));
}

export function only(resources: readonly Resource[], kind: string, name?: string): Resource {
  const found = resources.filter((resource) => resource.kind === kind &&
    (name === undefined || resource.metadata.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, ` +
      `found ${found.length}`);
  }
  return found[0] as Resource;
}

/** A path into a rendered manifest; throws, naming the path, where it does not lead. */
export function at(value: Json | undefined, ...path: (string | number)[]): Json {
  let current = value;
  for (const step of path) {
    current = Array.isArray(current) && typeof step === 'number' ? current[step]
      : isObject(current) && typeof step === 'string' ? current[step] : undefined;
    if (current === undefined) throw new Error(`nothing at ${path.join('.')}`);
  }
  return current as Json;
}

export function object(value: Json | undefined, ...path: (string | number)[]): JsonObject {
  const found = at(value, ...path);
  if (!isObject(found)) throw new Error(`${path.join('.')} is not a mapping`);
  return found;
}

export function objects(value: Json | undefined, ...path: (string | number)[]): JsonObject[] {
  const found = at(value, ...path);
  if (!Array.isArray(found) || !found.every(isObject)) {
    throw new Error(`${path.join('.')} is not a list of mappings`);
  }
  return found as JsonObject[];
}

export function strings(value: Json | undefined, ...path: (string | number)[]): string[] {
  const found = at(value, ...path);
  if (!Array.isArray(found) || !found.every((item) => typeof item === 'string')) {
    throw new Error(`${path.join('.')} is not a list of strings`);
  }
  return found as string[];
}

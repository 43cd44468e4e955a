/**
 * Every rendered manifest against the Kubernetes API's schemas (kubernetes-models: the
 * official OpenAPI definitions compiled for ajv), with no cluster.
 */
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { applyOperation, isObject, type Json, type Resource } from './kustomize.js';
import { RENDERINGS, render } from './render.js';

/** The kinds the manifests use; one more must be added here to be checked. */
const MODELS: Readonly<Record<string, { prototype: { validate(): void } }>> = {
  'apps/v1 StatefulSet': StatefulSet,
  'batch/v1 CronJob': CronJob,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'v1 Service': Service,
};

/** An object's keys, and which of them something read. */
interface Reads {
  readonly path: string;
  readonly keys: readonly string[];
  readonly read: Set<string>;
}

/**
 * A copy of `value` that records which keys are read. The schemas, like the API's own, do not
 * forbid unknown fields (the API server drops them, or refuses them under kubectl's strict
 * validation), but their validators read every field they define: a field that validation
 * never read is one the schema does not have, most likely a misspelt one.
 */
function tracked(value: Json, path: string, reads: Reads[]): Json {
  if (Array.isArray(value)) return value.map((item, i) => tracked(item, `${path}/${i}`, reads));
  if (!isObject(value)) return value;
  const copy = Object.fromEntries(Object.entries(value).map(([key, inner]) =>
    [key, tracked(inner, `${path}/${key}`, reads)]));
  const read = new Set<string>();
  reads.push({ path, keys: Object.keys(value), read });
  return new Proxy(copy, {
    get(target, key, receiver): unknown {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

/** Schema errors, then fields the schema does not know; empty when the manifest is valid. */
function problems(resource: Resource): string[] {
  const model = MODELS[`${resource.apiVersion} ${resource.kind}`];
  if (model === undefined) return [`no schema here for ${resource.apiVersion} ${resource.kind}`];
  const reads: Reads[] = [];
  const proxy = tracked(resource, '', reads);
  try {
    model.prototype.validate.call(proxy);
  } catch (error: unknown) {
    return [(error as Error).message];
  }
  return reads.flatMap(({ path, keys, read }) =>
    keys.filter((key) => !read.has(key)).map((key) => `unknown field ${path}/${key}`));
}

describe('deploy/kubernetes: the Kubernetes API schemas', () => {
  for (const rendering of RENDERINGS) {
    it(`${rendering.name}: every resource is valid and has no unknown field`, () => {
      const resources = render(rendering.dir);
      expect(resources.map((resource) => `${resource.kind}/${resource.metadata.name}`).sort())
        .toEqual(['CronJob/roster-backup', 'NetworkPolicy/roster',
          'PersistentVolumeClaim/roster-backup', 'PodDisruptionBudget/roster',
          'Service/roster', 'Service/roster-peer', 'StatefulSet/roster']);
      for (const resource of resources) {
        expect(problems(resource), `${resource.kind}/${resource.metadata.name}`).toEqual([]);
      }
    });
  }

  it('catches a wrong type, a missing field and a misspelt one', () => {
    const statefulSet = render('base').find((resource) => resource.kind === 'StatefulSet');
    if (statefulSet === undefined) throw new Error('no StatefulSet');
    const spec = statefulSet.spec as Record<string, Json>;
    expect(problems({ ...statefulSet, spec: { ...spec, replicas: 'three' } }).join())
      .toMatch(/replicas must be integer/);
    const { selector: _selector, ...withoutSelector } = spec;
    expect(problems({ ...statefulSet, spec: withoutSelector }).join())
      .toMatch(/must have required property selector/);
    expect(problems({ ...statefulSet, spec: { ...spec, podManagmentPolicy: 'Parallel' } }))
      .toEqual(['unknown field /spec/podManagmentPolicy']);
    const misspelt = structuredClone(statefulSet);
    applyOperation(misspelt, { op: 'add', value: true,
      path: '/spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem' });
    expect(problems(misspelt)).toEqual([
      'unknown field /spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem']);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyOperation, build, type Json } from './kustomize.js';

describe('test/deploy/kustomize.ts: JSON 6902 operations', () => {
  const document = (): Json => ({ a: { list: ['x', 'y'], flag: true } });

  it('adds to objects and arrays (at an index or the end), replaces and removes', () => {
    const doc = document();
    applyOperation(doc, { op: 'add', path: '/a/list/-', value: 'z' });
    applyOperation(doc, { op: 'add', path: '/a/list/0', value: 'w' });
    applyOperation(doc, { op: 'add', path: '/a/new~1key', value: { n: 1 } });
    applyOperation(doc, { op: 'replace', path: '/a/flag', value: false });
    applyOperation(doc, { op: 'remove', path: '/a/list/1' });
    expect(doc).toEqual({ a: { list: ['w', 'y', 'z'], flag: false, 'new/key': { n: 1 } } });
  });

  it('fails where kustomize fails: a failed test, a missing member or index', () => {
    expect(() => applyOperation(document(), { op: 'test', path: '/a/list/1', value: 'x' }))
      .toThrow(/test \/a\/list\/1 failed/);
    expect(() => applyOperation(document(), { op: 'replace', path: '/a/none', value: 1 }))
      .toThrow(/no such member/);
    expect(() => applyOperation(document(), { op: 'add', path: '/b/c', value: 1 }))
      .toThrow(/no member "b"/);
    expect(() => applyOperation(document(), { op: 'replace', path: '/a/list/2', value: 1 }))
      .toThrow(/no index 2/);
    expect(() => applyOperation(document(), { op: 'test', path: '/a/flag', value: true }))
      .not.toThrow();
  });
});

describe('test/deploy/kustomize.ts: kustomizations', () => {
  const root = mkdtempSync(join(tmpdir(), 'roster-kustomize-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function write(path: string, text: string): string {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
    return join(root, path, '..');
  }

  write('base/app.yaml', [
    'apiVersion: apps/v1', 'kind: StatefulSet', 'metadata: {name: app}',
    'spec: {replicas: 1, template: {spec: {containers: [{name: c, image: "app:1", args: [a]}]}}}',
    '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: app}', '',
  ].join('\n'));
  write('base/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\n' +
    'kind: Kustomization\nresources: [app.yaml]\n');
  write('component/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1alpha1\n' +
    'kind: Component\npatches:\n  - target: {kind: StatefulSet, name: app}\n' +
    '    patch: |-\n      - {op: add, path: /spec/template/spec/containers/0/args/-, ' +
    'value: b}\n');

  it('renders resources, then components, then patches, replicas and images', () => {
    const overlay = write('overlay/kustomization.yaml', [
      'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization',
      'resources: [../base]', 'components: [../component]',
      'replicas: [{name: app, count: 5}]',
      'images: [{name: app, newName: registry.example/app, newTag: "2"}]',
      'patches:', '  - target: {kind: StatefulSet, name: app}', '    patch: |-',
      '      - {op: add, path: /spec/template/spec/containers/0/args/-, value: c}', '',
    ].join('\n'));
    const [statefulSet, service] = build(overlay);
    expect(service).toMatchObject({ kind: 'Service', metadata: { name: 'app' } });
    expect(statefulSet).toMatchObject({ spec: { replicas: 5, template: { spec: { containers: [
      { image: 'registry.example/app:2', args: ['a', 'b', 'c'] },
    ] } } } });
  });

  it('refuses what it does not implement, and patches that match nothing', () => {
    const unsupported = write('unsupported/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' +
      'resources: [../base]\nnamespace: other\n');
    expect(() => build(unsupported)).toThrow(/"namespace" is not supported here/);
    const strategic = write('strategic/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' +
      'resources: [../base]\npatches:\n  - target: {kind: Service, name: app}\n' +
      '    patch: "metadata: {labels: {a: b}}"\n');
    expect(() => build(strategic)).toThrow(/only JSON 6902 patches/);
    const nothing = write('nothing/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' +
      'resources: [../base]\nreplicas: [{name: other, count: 2}]\n');
    expect(() => build(nothing)).toThrow(/replicas for other match nothing/);
  });
});

/**
 * The manifests agree with the server they run and with each other: the StatefulSet's
 * arguments and variables are parsed by serve's own flag table and config parser, for each pod,
 * and what the other resources name (ports, Services, selectors, secrets, the backup's
 * endpoint) is what the StatefulSet has.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_FLAGS, SERVE, SNAPSHOT_SAVE } from '../../src/cli/command-specs.js';
import { parseFlags } from '../../src/cli/flags.js';
import { parseServeConfig, type ServeConfig } from '../../src/config/index.js';
import { DEFAULT_SETTINGS } from '../../src/core/settings.js';
import { containersOf, isObject, podSpecOf, type JsonObject, type Resource } from './kustomize.js';
import {
  REPO, RENDERINGS, at, object, objects, only, render, strings,
} from './render.js';

const SERVE_ENV = new Map(Object.keys(SERVE.flags).map((flag) =>
  [`ROSTER_${flag.toUpperCase().replaceAll('-', '_')}`, flag]));

/** Kubernetes' $(NAME) expansion of args and commands: $$ is a $, unknown names stay. */
function expand(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) =>
    (match === '$$' ? '$' : env.get(name ?? '') ?? match));
}

/** A container's variables as the pod `podName` sees them (metadata.name from the downward API). */
function environment(container: JsonObject, podName: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const variable of 'env' in container ? objects(container, 'env') : []) {
    const name = at(variable, 'name') as string;
    if ('value' in variable) env.set(name, at(variable, 'value') as string);
    else if (at(variable, 'valueFrom', 'fieldRef', 'fieldPath') === 'metadata.name') {
      env.set(name, podName);
    } else throw new Error(`${name}: a source the test does not know`);
  }
  return env;
}

interface Server {
  readonly statefulSet: Resource;
  readonly pod: JsonObject;
  readonly container: JsonObject;
  /** serve's config, as pod roster-<ordinal> parses it. */
  readonly config: (ordinal: number) => ServeConfig;
  readonly env: Map<string, string>;
  readonly args: string[];
}

function server(resources: readonly Resource[]): Server {
  const statefulSet = only(resources, 'StatefulSet');
  const pod = podSpecOf(statefulSet) as JsonObject;
  const [container, ...others] = containersOf(statefulSet);
  if (container === undefined || others.length > 0) throw new Error('not one container');
  const config = (ordinal: number): ServeConfig => {
    const podName = `${statefulSet.metadata.name}-${ordinal}`;
    const env = environment(container, podName);
    const [command, ...args] = strings(container, 'args').map((arg) => expand(arg, env));
    const { flags, positionals } = parseFlags(args, SERVE.flags, SERVE.path);
    if (command !== 'serve' || positionals.length > 0) {
      throw new Error(`not "serve" and its flags: ${[command, ...positionals].join(' ')}`);
    }
    const values = Object.fromEntries(Object.keys(SERVE.flags).map((flag) =>
      [flag, flags.string(flag as keyof typeof SERVE.flags)]));
    return parseServeConfig({ flags: values, env: Object.fromEntries(env), hostname: podName });
  };
  return {
    statefulSet, pod, container, config, env: environment(container, 'pod'),
    args: strings(container, 'args'),
  };
}

function selects(selector: JsonObject, labels: JsonObject): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function podLabels(resource: Resource): JsonObject {
  const spec = object(resource, 'spec');
  const template = 'jobTemplate' in spec ? object(spec, 'jobTemplate', 'spec', 'template')
    : object(spec, 'template');
  return object(template, 'metadata', 'labels');
}

function containerPort(container: JsonObject, name: string): number {
  const port = objects(container, 'ports').find((item) => item.name === name);
  if (port === undefined) throw new Error(`no container port named ${name}`);
  return at(port, 'containerPort') as number;
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** The mount a file is under, and the Secret volume behind it (if it is one). */
function secretFile(pod: JsonObject, container: JsonObject, file: string):
  { secret: string; key: string; readOnly: boolean } {
  const mount = objects(container, 'volumeMounts').find((item) =>
    file.startsWith(`${String(item.mountPath)}/`));
  if (mount === undefined) throw new Error(`${file} is under no mount`);
  const volume = objects(pod, 'volumes').find((item) => item.name === mount.name);
  if (volume === undefined || !isObject(volume.secret)) throw new Error(`${file}: not a secret`);
  const key = posix.relative(String(mount.mountPath), file);
  const items = volume.secret.items;
  if (Array.isArray(items)) {
    expect(items.filter(isObject).map((item) => item.path), `${file}: the secret's items`)
      .toContain(key);
  }
  expect(volume.secret.defaultMode, `${file}: mode`).toBe(0o440);
  return { secret: String(volume.secret.secretName), key, readOnly: mount.readOnly === true };
}

describe.each(RENDERINGS)('deploy/kubernetes/$dir: the StatefulSet and serve', (rendering) => {
  const resources = render(rendering.dir);
  const { statefulSet, pod, container, config, env, args } = server(resources);
  const first = config(0);

  it('passes only flags serve takes, as arguments or ROSTER_ variables, each once', () => {
    for (const name of env.keys()) {
      if (name.startsWith('ROSTER_')) expect(SERVE_ENV.has(name), name).toBe(true);
    }
    const fromArgs = args.slice(1).map((arg) => /^--([a-z-]+)/.exec(arg)?.[1]);
    for (const name of env.keys()) {
      const flag = SERVE_ENV.get(name);
      if (flag !== undefined) expect(fromArgs, `${flag} both ways`).not.toContain(flag);
    }
  });

  it(`founds ${rendering.members} members named after the pods, at their stable names`, () => {
    expect(at(statefulSet, 'spec', 'replicas')).toBe(rendering.members);
    const peerService = at(statefulSet, 'spec', 'serviceName');
    for (let ordinal = 0; ordinal < rendering.members; ordinal++) {
      const own = config(ordinal);
      expect(own.name).toBe(`roster-${ordinal}`);
      expect(own.initialCluster.map((member) => member.name))
        .toEqual(Array.from({ length: rendering.members }, (_, i) => `roster-${i}`));
      expect(own.initialCluster.map((member) => member.peerAddress)).toEqual(
        Array.from({ length: rendering.members }, (_, i) =>
          `roster-${i}.${String(peerService)}:${portOf(own.peerListen)}`));
      const self = own.initialCluster[ordinal];
      expect(own.advertisePeer).toBe(self?.peerAddress);
      expect(own.advertiseClient).toBe(self?.clientAddress);
      expect(own.initialClusterState).toBe('new');
    }
  });

  it('listens on every interface, on the container\'s ports', () => {
    for (const address of [first.listen, first.peerListen, first.httpListen]) {
      expect(address.startsWith('0.0.0.0:')).toBe(true);
    }
    expect(containerPort(container, 'client')).toBe(portOf(first.listen));
    expect(containerPort(container, 'peer')).toBe(portOf(first.peerListen));
    expect(containerPort(container, 'http')).toBe(portOf(first.httpListen));
    expect(objects(container, 'ports')).toHaveLength(3);
  });

  it('probes /livez and /readyz on the HTTP port, patient through an election', () => {
    const scheme = first.clientTls === undefined ? 'HTTP' : 'HTTPS';
    const probes = Object.fromEntries(['startupProbe', 'readinessProbe', 'livenessProbe']
      .map((probe) => [probe, object(container, probe)]));
    expect(Object.fromEntries(Object.entries(probes).map(([name, probe]) => [name, {
      path: at(probe, 'httpGet', 'path'), port: at(probe, 'httpGet', 'port'),
      scheme: object(probe, 'httpGet').scheme ?? 'HTTP',
    }]))).toEqual({
      startupProbe: { path: '/livez', port: 'http', scheme },
      readinessProbe: { path: '/readyz', port: 'http', scheme },
      livenessProbe: { path: '/livez', port: 'http', scheme },
    });
    const toleranceMs = (probe: JsonObject): number =>
      (at(probe, 'periodSeconds') as number) * (at(probe, 'failureThreshold') as number) * 1000;
    const electionMs = first.settings.raft.electionTimeoutMs;
    expect(toleranceMs(probes.readinessProbe as JsonObject)).toBeGreaterThanOrEqual(
      10 * electionMs);
    expect(toleranceMs(probes.livenessProbe as JsonObject)).toBeGreaterThanOrEqual(30_000);
    expect(toleranceMs(probes.startupProbe as JsonObject)).toBeGreaterThanOrEqual(120_000);
  });

  it('gives a stop time to drain, hand leadership over, snapshot and flush', () => {
    const graceMs = (at(pod, 'terminationGracePeriodSeconds') as number) * 1000;
    const handOverMs = DEFAULT_SETTINGS.api.drainMs + 2 * first.settings.raft.electionTimeoutMs;
    // The rest is the snapshot of a large registry and the log's last flush.
    expect(graceMs).toBeGreaterThanOrEqual(handOverMs + 30_000);
    expect(first.transferLeadershipOnStop).toBe(true);
  });

  it('keeps the data dir on the claimed volume and runs on a read-only root', () => {
    const [claim] = objects(statefulSet, 'spec', 'volumeClaimTemplates');
    const mounts = objects(container, 'volumeMounts');
    const data = mounts.find((mount) => mount.name === at(claim, 'metadata', 'name'));
    expect(first.dataDir.startsWith(`${String(data?.mountPath)}/`)).toBe(true);
    const tmp = mounts.find((mount) => mount.mountPath === '/tmp');
    expect(objects(pod, 'volumes').find((volume) => volume.name === tmp?.name))
      .toHaveProperty('emptyDir');
    expect(at(container, 'securityContext', 'readOnlyRootFilesystem')).toBe(true);
  });

  it('reads each TLS file from a read-only mount of its Secret', () => {
    const peer = first.peerTls;
    const client = first.clientTls;
    expect(peer === undefined).toBe(rendering.dir === 'base');
    expect(client === undefined).toBe(rendering.dir === 'base');
    if (peer === undefined || client === undefined) return;
    const files = [
      ['roster-peer-tls', 'tls.crt', peer.certFile], ['roster-peer-tls', 'tls.key', peer.keyFile],
      ['roster-peer-tls', 'ca.crt', peer.caFile],
      ['roster-client-tls', 'tls.crt', client.certFile],
      ['roster-client-tls', 'tls.key', client.keyFile],
      ['roster-client-tls', 'ca.crt', client.trustedCaFile as string],
    ] as const;
    for (const [secret, key, file] of files) {
      expect(secretFile(pod, container, file)).toEqual({ secret, key, readOnly: true });
    }
    // The kubelet's probes carry no client certificate.
    expect(client.clientCertAuth).toBe(false);
  });
});

describe.each(RENDERINGS)('deploy/kubernetes/$dir: the resources around it', (rendering) => {
  const resources = render(rendering.dir);
  const { statefulSet, container, config } = server(resources);
  const first = config(0);
  const labels = podLabels(statefulSet);
  const backup = only(resources, 'CronJob');

  it('has a headless Service named --peer-service that publishes pods before they are ready',
    () => {
      const peer = only(resources, 'Service', String(at(statefulSet, 'spec', 'serviceName')));
      expect(first.initialCluster[0]?.peerAddress).toMatch(
        new RegExp(`^roster-0\\.${peer.metadata.name}:`));
      expect(at(peer, 'spec', 'clusterIP')).toBe('None');
      expect(at(peer, 'spec', 'publishNotReadyAddresses')).toBe(true);
      expect(objects(peer, 'spec', 'ports').map((port) => port.targetPort).sort())
        .toEqual(['client', 'peer']);
    });

  it('has a client Service on the client and HTTP ports', () => {
    const client = only(resources, 'Service', 'roster');
    expect(at(client, 'spec', 'type')).toBe('ClusterIP');
    expect(objects(client, 'spec', 'ports').map((port) => [port.port, port.targetPort]))
      .toEqual([[portOf(first.listen), 'client'], [portOf(first.httpListen), 'http']]);
  });

  it('points every Service port at a container port', () => {
    const names = objects(container, 'ports').map((port) => port.name);
    for (const service of resources.filter((resource) => resource.kind === 'Service')) {
      for (const port of objects(service, 'spec', 'ports')) {
        expect(names, service.metadata.name).toContain(port.targetPort);
      }
    }
  });

  it('selects the server pods, and not the backup job\'s, everywhere', () => {
    const selectors: [string, JsonObject][] = [
      ['StatefulSet', object(statefulSet, 'spec', 'selector', 'matchLabels')],
      ...resources.filter((resource) => resource.kind === 'Service').map((service) =>
        [`Service ${service.metadata.name}`, object(service, 'spec', 'selector')] as
          [string, JsonObject]),
      ['PodDisruptionBudget', object(only(resources, 'PodDisruptionBudget'), 'spec', 'selector',
        'matchLabels')],
      ['NetworkPolicy', object(only(resources, 'NetworkPolicy'), 'spec', 'podSelector',
        'matchLabels')],
      ...objects(statefulSet, 'spec', 'template', 'spec', 'topologySpreadConstraints').map(
        (constraint) => [`spread ${String(constraint.topologyKey)}`,
          object(constraint, 'labelSelector', 'matchLabels')] as [string, JsonObject]),
    ];
    for (const [what, selector] of selectors) {
      expect(selects(selector, labels), what).toBe(true);
      expect(selects(selector, podLabels(backup)), what).toBe(false);
    }
    expect(labels['app.kubernetes.io/name']).toBe('roster');
  });

  it('keeps one member down at most, voluntarily', () => {
    expect(at(only(resources, 'PodDisruptionBudget'), 'spec', 'maxUnavailable')).toBe(1);
  });

  it('lets only the set\'s own pods reach the peer port; clients reach the rest', () => {
    const rules = objects(only(resources, 'NetworkPolicy'), 'spec', 'ingress');
    const peerPort = portOf(first.peerListen);
    const opens = (port: number): JsonObject[] => rules.filter((rule) =>
      objects(rule, 'ports').some((item) => item.port === port));
    const [peerRule, ...more] = opens(peerPort);
    expect(more).toEqual([]);
    const sources = objects(peerRule, 'from');
    expect(sources).toHaveLength(1);
    expect(Object.keys(sources[0] as JsonObject)).toEqual(['podSelector']);
    const peers = object(sources[0], 'podSelector', 'matchLabels');
    expect(selects(peers, labels)).toBe(true);
    expect(selects(peers, podLabels(backup))).toBe(false);
    for (const port of [portOf(first.listen), portOf(first.httpListen)]) {
      expect(opens(port).length, `port ${port}`).toBe(1);
    }
  });

  it('backs up through the client Service to its own volume, with the server\'s image', () => {
    const [job] = containersOf(backup);
    const jobPod = podSpecOf(backup) as JsonObject;
    if (job === undefined) throw new Error('no backup container');
    const script = expand(strings(job, 'command').join(' '), environment(job, 'backup'));
    const line = /roster snapshot save (.*)$/m.exec(script)?.[1];
    if (line === undefined) throw new Error('no roster snapshot save in the backup script');
    const words = line.split(/\s+/).map((word) => word.replaceAll('"', ''));
    const { flags, positionals } = parseFlags(words,
      { ...CLIENT_FLAGS, ...SNAPSHOT_SAVE.flags }, SNAPSHOT_SAVE.path);
    expect(positionals).toHaveLength(1);
    const endpoint = flags.string('endpoints') ?? '';
    const client = only(resources, 'Service', endpoint.slice(0, endpoint.lastIndexOf(':')));
    expect(objects(client, 'spec', 'ports').map((port) => port.port))
      .toContain(portOf(endpoint));
    expect(objects(client, 'spec', 'ports').find((port) => port.port === portOf(endpoint))
      ?.targetPort).toBe('client');
    expect(job.image).toBe(container.image);
    const claim = objects(jobPod, 'volumes')
      .find((volume) => isObject(volume.persistentVolumeClaim));
    expect(only(resources, 'PersistentVolumeClaim',
      String(at(claim, 'persistentVolumeClaim', 'claimName')))).toBeDefined();
    const caFile = environment(job, 'backup').get('ROSTER_CACERT');
    expect(caFile === undefined).toBe(first.clientTls === undefined);
    if (caFile !== undefined) {
      expect(secretFile(jobPod, job, caFile)).toEqual(
        { secret: 'roster-client-tls', key: 'ca.crt', readOnly: true });
    }
  });
});

describe.each(RENDERINGS)('deploy/kubernetes/$dir: pods run locked down', (rendering) => {
  const resources = render(rendering.dir);
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');

  it('as the image\'s non-root user, without privileges, tokens or service links', () => {
    const user = Number(/^USER ([0-9]+)/m.exec(dockerfile)?.[1]);
    for (const resource of resources.filter((item) => podSpecOf(item) !== undefined)) {
      const pod = podSpecOf(resource) as JsonObject;
      expect(object(pod, 'securityContext'), resource.kind).toMatchObject({
        runAsNonRoot: true, runAsUser: user, fsGroup: user,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      // Else a Service named roster puts ROSTER_SERVICE_HOST... among serve's variables.
      expect(pod.enableServiceLinks).toBe(false);
      for (const container of containersOf(resource)) {
        expect(object(container, 'securityContext'), resource.kind).toEqual({
          allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(Object.keys(object(container, 'resources', 'requests')).sort())
          .toEqual(['cpu', 'memory']);
        expect(Object.keys(object(container, 'resources', 'limits')).sort())
          .toEqual(['cpu', 'memory']);
        expect(objects(container, 'volumeMounts').some((mount) => mount.mountPath === '/tmp'))
          .toBe(true);
      }
    }
  });

  it('from the image the Dockerfile builds', () => {
    const { container } = server(resources);
    const exposed = /^EXPOSE (.*)$/m.exec(dockerfile)?.[1]?.split(/\s+/).map(Number);
    expect(exposed).toEqual(objects(container, 'ports').map((port) => port.containerPort));
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/app\/bin\/roster"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["serve"\]$/m);
    // Node must be PID 1 to get SIGTERM: the launcher replaces itself with it.
    expect(readFileSync(join(REPO, 'bin/roster'), 'utf8')).toMatch(/^exec "\$\{ROSTER_NODE/m);
  });
});

describe('deploy/kubernetes: the backup job\'s script', () => {
  const job = containersOf(only(render('base'), 'CronJob'))[0] as JsonObject;
  const [shell, flag, script] = strings(job, 'command').map((part) => expand(part, new Map()));
  const dir = mkdtempSync(join(tmpdir(), 'roster-backup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const backups = join(dir, 'backup');
  const bin = join(dir, 'bin');
  for (const path of [backups, bin]) mkdirSync(path);
  // A stand-in for roster: writes the file it is given, or half of one and fails.
  writeFileSync(join(bin, 'roster'), '#!/bin/sh\n[ "$1 $2" = "snapshot save" ] || exit 2\n' +
    'if [ -n "${FAIL:-}" ]; then printf half > "$3"; exit 1; fi\nprintf whole > "$3"\n');
  chmodSync(join(bin, 'roster'), 0o755);

  function run(keep: number, fail: boolean): number {
    const result = spawnSync(shell as string, [flag as string,
      (script as string).replaceAll('/backup', backups)], {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, BACKUP_KEEP: String(keep),
        ...(fail ? { FAIL: '1' } : {}) },
      encoding: 'utf8',
    });
    return result.status ?? -1;
  }

  it('keeps the newest BACKUP_KEEP, and prunes nothing when a save fails', () => {
    expect(script).toContain('$(date -u +%Y%m%dT%H%M%S)');
    const old = ['20200101T000000', '20200102T000000', '20200103T000000', '20200104T000000'];
    for (const stamp of old) writeFileSync(join(backups, `roster-${stamp}.snap`), 'old');
    expect(run(3, true)).not.toBe(0);
    expect(readdirSync(backups).filter((name) => name.endsWith('.snap'))).toHaveLength(4);
    expect(run(3, false)).toBe(0);
    const kept = readdirSync(backups).sort();
    expect(kept).toHaveLength(3);
    expect(kept.slice(0, 2)).toEqual(['roster-20200103T000000.snap',
      'roster-20200104T000000.snap']);
    expect(kept[2]).toMatch(/^roster-[0-9]{8}T[0-9]{6}\.snap$/);
    expect(readFileSync(join(backups, kept[2] as string), 'utf8')).toBe('whole');
    expect(run(0, false)).not.toBe(0);
  });
});

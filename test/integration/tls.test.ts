import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RosterClient, isServiceError } from '../../src/client/index.js';
import { createPki, type Pki } from '../../src/bench/pki.js';
import { TestCluster, waitFor } from './cluster.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'roster-tls-'));
let cluster: TestCluster | undefined;
const clients: RosterClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await cluster?.stop();
  cluster = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Replaces a file at once (rename), as certificate managers do. */
function replace(from: string, to: string): void {
  copyFileSync(from, `${to}.new`);
  renameSync(`${to}.new`, to);
}

type Issued = ReturnType<Pki['issue']>;

function peerCertificate(address: string, pki: Pki, client: Issued,
  alpn: string[] = ['h2']): Promise<PeerCertificate> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = connect({
      host, port, ca: readFileSync(pki.caFile), cert: readFileSync(client.certFile),
      key: readFileSync(client.keyFile), ALPNProtocols: alpn, servername: 'localhost',
    }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on('error', reject);
  });
}

function httpsGet(address: string, pki: Pki, client?: Issued):
  Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`https://${address}/livez`, {
      ca: readFileSync(pki.caFile),
      ...(client === undefined ? {} :
        { cert: readFileSync(client.certFile), key: readFileSync(client.keyFile) }),
    }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
    });
  });
}

describe('TLS on the client and HTTP ports (etcd flags), real processes', () => {
  it('requires client certificates, forwards over TLS, serves HTTPS, and reloads certificates',
    async () => {
      const pki = createPki('roster-tls', dir);
      const first = pki.issue('server-1');
      const second = pki.issue('server-2');
      const user = pki.issue('user', { client: true });
      const certFile = join(dir, 'server.pem');
      const keyFile = join(dir, 'server.key');
      replace(first.certFile, certFile);
      replace(first.keyFile, keyFile);
      const tls = {
        ca: readFileSync(pki.caFile), cert: readFileSync(user.certFile),
        key: readFileSync(user.keyFile),
      };
      cluster = await TestCluster.start({
        nodes: 3, tls,
        extraArgs: ['--cert-file', certFile, '--key-file', keyFile, '--trusted-ca-file', pki.caFile,
          '--client-cert-auth'],
      });
      const leader = await cluster.waitForLeader();
      const follower = cluster.nodes.find((node) => node.name !== leader);
      if (follower === undefined) throw new Error('no follower');

      // Through a follower only: the write is forwarded to the leader over TLS.
      const sdk = new RosterClient({ endpoints: [follower.client], tls, attempts: 20 });
      clients.push(sdk);
      await sdk.registerOnce(
        { instance: { service: 'web', id: 'a', address: '10.0.0.1', port: 80 } });
      const found = await sdk.lookup({ service: 'web' });
      expect(found.instances.map((one) => one.id)).toEqual(['a']);

      // No client certificate, or no TLS at all: refused.
      for (const options of [{ tls: { ca: tls.ca } }, {}]) {
        const refused = new RosterClient({
          endpoints: [follower.client], attempts: 1, timeoutMs: 2_000, ...options,
        });
        clients.push(refused);
        const error = await refused.lookup({ service: 'web' }).catch((caught: unknown) => caught);
        expect(isServiceError(error)).toBe(true);
      }

      // The CLI's --cacert, --cert, --key.
      const ok = await cli(['lookup', 'web', '--endpoints', follower.client, '--output', 'json',
        '--cacert', pki.caFile, '--cert', user.certFile, '--key', user.keyFile]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('"id": "a"');
      const noCert = await cli(['lookup', 'web', '--endpoints', follower.client,
        '--timeout-ms', '2000', '--cacert', pki.caFile]);
      expect(noCert.code).toBe(1);

      // HTTPS with the same certificate; a client certificate is required there too.
      expect(await httpsGet(follower.http, pki, user)).toBe(200);
      await expect(httpsGet(follower.http, pki)).rejects.toThrow();

      // Rotated on disk: new connections get the new certificate, without a restart.
      const before = await peerCertificate(follower.client, pki, user);
      expect(before.subject.CN).toBe('server-1');
      replace(second.keyFile, keyFile);
      replace(second.certFile, certFile);
      await waitFor(async () => {
        const client = await peerCertificate(follower.client, pki, user);
        const http = await peerCertificate(follower.http, pki, user, ['http/1.1']);
        return client.subject.CN === 'server-2' && http.subject.CN === 'server-2'
          ? true : undefined;
      }, { timeoutMs: 15_000, intervalMs: 250, what: 'the reloaded certificate' });
      const after = await sdk.lookup({ service: 'web' });
      expect(after.instances).toHaveLength(1);
    }, 90_000);
});

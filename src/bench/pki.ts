import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A CA and the certificates it issued, as PEM files made by openssl: for the bench's TLS runs
 * and for tests. Every call makes another CA, whose certificates no other CA's peers accept.
 */
export interface Pki {
  readonly dir: string;
  readonly caFile: string;
  /**
   * A key and certificate for `name`: for serving 127.0.0.1 and localhost and for dialing, or,
   * with `client`, only for dialing.
   */
  issue(name: string, options?: { client?: boolean }): { certFile: string; keyFile: string };
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** In `dir`, or in a new temporary directory named after `label`. */
export function createPki(label = 'roster', dir?: string): Pki {
  const home = dir ?? mkdtempSync(join(tmpdir(), `${label}-pki-`));
  openssl(['req', '-x509', ...CURVE, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
    '-subj', `/CN=${label} CA`], home);
  let serial = 1;
  return {
    dir: home,
    caFile: join(home, 'ca.crt'),
    issue: (name, options = {}) => {
      writeFileSync(join(home, `${name}.ext`), options.client === true
        ? 'extendedKeyUsage=clientAuth\n'
        : 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
      openssl(['req', ...CURVE, '-keyout', `${name}.key`, '-out', `${name}.csr`,
        '-subj', `/CN=${name}`], home);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
        '-set_serial', String(serial++), '-out', `${name}.crt`, '-days', '2',
        '-extfile', `${name}.ext`], home);
      return { certFile: join(home, `${name}.crt`), keyFile: join(home, `${name}.key`) };
    },
  };
}

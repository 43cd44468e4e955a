import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A test CA and certificates it signs, made with openssl at test time in `dir`. */
export interface TestPki {
  readonly ca: string;
  /** Issues a key and certificate for `name` (loopback SANs); returns their paths. */
  issue(name: string, options?: { client?: boolean }): { cert: string; key: string };
}

const OPENSSL = '/usr/bin/openssl';

function openssl(args: string[]): void {
  execFileSync(OPENSSL, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makePki(dir: string): TestPki {
  const caKey = join(dir, 'ca.key');
  const ca = join(dir, 'ca.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=roster test CA']);
  let serial = 1;
  return {
    ca,
    issue(name, options = {}) {
      const key = join(dir, `${name}.key`);
      const csr = join(dir, `${name}.csr`);
      const cert = join(dir, `${name}.pem`);
      const ext = join(dir, `${name}.ext`);
      writeFileSync(ext, options.client === true
        ? 'extendedKeyUsage=clientAuth\n'
        : 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
      openssl(['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-out', cert,
        '-days', '2', '-set_serial', String(serial++), '-extfile', ext]);
      return { cert, key };
    },
  };
}

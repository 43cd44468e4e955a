import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CA and certificates it issued, as PEM files in a temporary directory (made by openssl). */
export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  /** A certificate (and key) for 127.0.0.1 and localhost, for serving and for dialing. */
  issue(name: string): { certFile: string; keyFile: string };
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/** A new CA; every call gives another, whose certificates no other CA's peers accept. */
export function createPki(label = 'roster-test'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), `${label}-pki-`));
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...curve, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
    '-subj', `/CN=${label} CA`], dir);
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' +
    'extendedKeyUsage=serverAuth,clientAuth\n');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    issue: (name) => {
      openssl(['req', ...curve, '-keyout', `${name}.key`, '-out', `${name}.csr`,
        '-subj', `/CN=${name}`], dir);
      openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key',
        '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', 'leaf.ext'], dir);
      return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
    },
  };
}

/**
 * The package as another project gets it: packed with `npm pack`, installed into a temporary
 * project, and imported from its root, in JavaScript and in TypeScript. Importing the SDK loads
 * no server code: a module hook records every module the import resolves.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt } from './cluster.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

let project: string;

beforeAll(() => {
  assertBuilt();
  project = mkdtempSync(join(tmpdir(), 'roster-package-'));
  // dist/ is built (npm test builds before vitest): pack it as it is.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts',
    '--pack-destination', project, ...NPM_QUIET], { cwd: ROOT, encoding: 'utf8' })) as
    { filename: string }[];
  const tarball = join(project, (packed[0] as { filename: string }).filename);
  writeFileSync(join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', tarball, '--omit=dev', '--prefer-offline', '--ignore-scripts',
    ...NPM_QUIET], { cwd: project, encoding: 'utf8' });
}, 240_000);

afterAll(() => {
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

describe('the package, installed in another project', () => {
  it('imports the SDK from its root, loading no server code', () => {
    writeFileSync(join(project, 'hooks.mjs'), `
      import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        appendFileSync(process.env.LOADED_LOG, result.url + '\\n');
        return result;
      }`);
    writeFileSync(join(project, 'register.mjs'),
      `import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);`);
    // A call loads the protos from the package and fails fast: nothing listens on port 1.
    writeFileSync(join(project, 'main.mjs'), `
      import { RosterClient, registerResolver } from 'roster';
      const client = new RosterClient({ endpoints: ['127.0.0.1:1'], attempts: 1 });
      const error = await client.status('127.0.0.1:1').catch((caught) => caught);
      registerResolver(client).unregister();
      client.close();
      console.log(typeof RosterClient, typeof registerResolver, error.code);`);
    const log = join(project, 'loaded.log');
    const out = execFileSync(process.execPath, ['--import', './register.mjs', 'main.mjs'],
      { cwd: project, encoding: 'utf8', env: { ...process.env, LOADED_LOG: log } });
    expect(out.trim()).toBe('function function 14');
    const loaded = readFileSync(log, 'utf8').split('\n').filter((url) => url !== '');
    expect(loaded).toContain(`file://${project}/node_modules/roster/dist/client/index.js`);
    const server = loaded.filter((url) =>
      /\/roster\/dist\/(?!client\/|wire\/|core\/)/.test(url) ||
      /\/node_modules\/(level|classic-level|abstract-level|pino|prom-client)\//.test(url));
    expect(server).toEqual([]);
  });

  it('gives TypeScript the SDK types', () => {
    writeFileSync(join(project, 'consumer.ts'), `
      import {
        RosterClient, registerResolver, type Registration, type RosterClientOptions,
        type ServiceView,
      } from 'roster';
      const options: RosterClientOptions = { endpoints: ['127.0.0.1:1'], attempts: 2 };
      const client = new RosterClient(options);
      const registration: Registration = client.register(
        { service: 'web', address: '10.0.0.1', port: 80 }, { ttlMs: 5_000 });
      registration.on('lost', (reason: 'expired' | 'unconfirmed') => void reason);
      const view: ServiceView = client.discover('web', { tags: ['a'] });
      view.on('change', (instances) => void instances.length);
      const picked: string | undefined = view.pick('zone-first')?.address;
      registerResolver(client).unregister();
      void registration.close();
      client.close();
      export { picked };
      // @ts-expect-error endpoints is a list of host:port strings
      const wrong: RosterClientOptions = { endpoints: 7401 };
      export { wrong };`);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        skipLibCheck: true, types: [],
      },
      files: ['consumer.ts'],
    }));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // Throws, with the compiler's errors, if the types are missing or wrong.
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' });
  });
});

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../src/cli/private-file.js';

const dir = mkdtempSync(join(tmpdir(), 'roster-private-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writePrivateFile (snapshot save)', () => {
  it('creates the file 0600', async () => {
    const file = join(dir, 'new.snap');
    await writePrivateFile(file, Buffer.from('data'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('data');
  });

  it('makes an existing 0644 file 0600 before writing', async () => {
    const file = join(dir, 'old.snap');
    writeFileSync(file, 'old', { mode: 0o644 });
    await writePrivateFile(file, Buffer.from('new'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('new');
  });
});

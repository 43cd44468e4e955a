import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES, GrpcStatus, RosterError, isRosterError, type ErrorCode,
} from '../../src/core/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const codes = Object.keys(ERROR_CODES) as ErrorCode[];
const statusNames = new Map(Object.entries(GrpcStatus).map(([name, value]) => [value, name]));

describe('the error-code table', () => {
  it.each(codes)('%s is documented in the README with its gRPC status', (code) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\``));
    expect(row, `README has no row for ${code}`).toBeDefined();
    expect(row).toContain(`| ${statusNames.get(ERROR_CODES[code].status)} |`);
  });

  it('the README documents no code that does not exist', () => {
    const documented = [...readme.matchAll(/^\| `(ROSTER_ERR_[A-Z_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });

  it('a RosterError carries its code, status, field and a detailed message', () => {
    const error = new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'port must be 1-65535',
      { field: 'port' });
    expect(error.status).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error.field).toBe('port');
    expect(error.message).toBe('invalid argument: port must be 1-65535');
    expect(isRosterError(error, 'ROSTER_ERR_INVALID_ARGUMENT')).toBe(true);
    expect(isRosterError(error, 'ROSTER_ERR_NOT_FOUND')).toBe(false);
    expect(isRosterError(new Error('x'))).toBe(false);
  });
});

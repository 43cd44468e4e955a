import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, RosterError, type ErrorCode } from '../../src/core/errors.js';
import {
  ERROR_CODE_KEY, GRPC_STATUS_OF, LEADER_HINT_KEY, toApiError,
} from '../../src/api/errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('error codes as gRPC statuses', () => {
  it.each(codes)('%s is documented in the README with its gRPC status', (code) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\``));
    expect(row, `README has no row for ${code}`).toBeDefined();
    expect(row).toContain(`| ${grpc.status[GRPC_STATUS_OF[code]]} |`);
  });

  it('the README documents no code that does not exist', () => {
    const documented = [...readme.matchAll(/^\| `(ROSTER_ERR_[A-Z_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });

  it('a RosterError keeps its code in the metadata and names the leader on UNAVAILABLE', () => {
    const invalid = toApiError(new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'bad port'),
      '10.0.0.1:2379');
    expect(invalid.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(invalid.metadata.get(ERROR_CODE_KEY)).toEqual(['ROSTER_ERR_INVALID_ARGUMENT']);
    expect(invalid.metadata.get(LEADER_HINT_KEY)).toEqual([]);
    const notLeader = toApiError(new RosterError('ROSTER_ERR_NOT_LEADER'), '10.0.0.1:2379');
    expect(notLeader.code).toBe(grpc.status.UNAVAILABLE);
    expect(notLeader.metadata.get(LEADER_HINT_KEY)).toEqual(['10.0.0.1:2379']);
  });

  it('anything else is INTERNAL', () => {
    const internal = toApiError(new TypeError('boom'));
    expect(internal.code).toBe(grpc.status.INTERNAL);
    expect(internal.details).toContain('boom');
    expect(internal.metadata.get(ERROR_CODE_KEY)).toEqual(['ROSTER_ERR_INTERNAL']);
  });
});

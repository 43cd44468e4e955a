import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { CommandError, describeError, statusText } from '../../src/cli/client-errors.js';
import { ERROR_CODE_KEY, RosterError } from '../../src/core/errors.js';

/** A ServiceError as grpc-js fails a call with it. */
function serviceError(code: grpc.status, details: string, rosterCode?: string):
  grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (rosterCode !== undefined) metadata.set(ERROR_CODE_KEY, rosterCode);
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`),
    { code, details, metadata });
}

const REFUSED = 'No connection established. Last error: Error: connect ECONNREFUSED ' +
  '127.0.0.1:7400 (2026-12-03T20:00:57.405Z). Resolution note: ';
const CONTEXT = { endpoints: ['127.0.0.1:7400'], timeoutMs: 5_000 };

describe('describeError: one wording for every client failure', () => {
  it('an unreachable endpoint, without grpc-js\'s wording', () => {
    expect(describeError(serviceError(grpc.status.UNAVAILABLE, REFUSED), CONTEXT))
      .toBe('cannot reach 127.0.0.1:7400 (UNAVAILABLE: connection refused)');
    expect(describeError(serviceError(grpc.status.UNAVAILABLE, REFUSED),
      { ...CONTEXT, endpoints: ['127.0.0.1:1', '127.0.0.1:2'] }))
      .toBe('cannot reach any of 127.0.0.1:1, 127.0.0.1:2 (UNAVAILABLE: connection refused)');
    expect(describeError(serviceError(grpc.status.UNAVAILABLE,
      'Name resolution failed for target dns:nope.invalid:7400'), CONTEXT))
      .toBe('cannot reach 127.0.0.1:7400 (UNAVAILABLE: host name not resolved)');
  });

  it('an answer from a node keeps its message and Roster code', () => {
    expect(describeError(serviceError(grpc.status.UNAVAILABLE, 'no leader',
      'ROSTER_ERR_NO_LEADER'), CONTEXT)).toBe('no leader (ROSTER_ERR_NO_LEADER)');
    expect(describeError(serviceError(grpc.status.INVALID_ARGUMENT, 'port: is required',
      'ROSTER_ERR_INVALID_ARGUMENT'), CONTEXT))
      .toBe('port: is required (ROSTER_ERR_INVALID_ARGUMENT)');
  });

  it('a deadline names the wait and the flag that sets it', () => {
    expect(describeError(serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      CONTEXT)).toBe('no answer from 127.0.0.1:7400 within 5000 ms (DEADLINE_EXCEEDED; ' +
      '--timeout-ms sets the wait)');
  });

  it('other statuses by name; Roster and command errors as they are', () => {
    expect(describeError(serviceError(grpc.status.UNIMPLEMENTED, 'unknown method'), CONTEXT))
      .toBe('unknown method (UNIMPLEMENTED)');
    expect(describeError(new RosterError('ROSTER_ERR_TIMEOUT', 'slow')))
      .toBe('the request timed out: slow (ROSTER_ERR_TIMEOUT)');
    expect(describeError(new CommandError('as said'))).toBe('as said');
  });

  it('statusText says it in a few words, for messages that say the rest', () => {
    expect(statusText(serviceError(grpc.status.UNAVAILABLE, REFUSED)))
      .toBe('UNAVAILABLE: connection refused');
  });
});

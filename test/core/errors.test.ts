import { describe, expect, it } from 'vitest';
import { RosterError, isRosterError } from '../../src/core/errors.js';

describe('RosterError', () => {
  it('carries its code, field and a detailed message', () => {
    const error = new RosterError('ROSTER_ERR_INVALID_ARGUMENT', 'port must be 1-65535',
      { field: 'port' });
    expect(error.code).toBe('ROSTER_ERR_INVALID_ARGUMENT');
    expect(error.field).toBe('port');
    expect(error.message).toBe('invalid argument: port must be 1-65535');
    expect(isRosterError(error, 'ROSTER_ERR_INVALID_ARGUMENT')).toBe(true);
    expect(isRosterError(error, 'ROSTER_ERR_NOT_FOUND')).toBe(false);
    expect(isRosterError(new Error('x'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../../src/client/grpc/target.js';

const target = (path: string, authority = '') => parseTarget({ scheme: 'roster', authority, path });

describe('parseTarget', () => {
  it('takes the path as the service and the zone as a preference, not a filter', () => {
    expect(target('greeter?zone=a')).toEqual({ service: 'greeter', filters: {}, localZone: 'a' });
  });

  it('passes tags (repeatable) and the other keys as hard filters', () => {
    expect(target('greeter?tag=x&tag=y&namespace=n&version=2&region=r&environment=prod'))
      .toEqual({
        service: 'greeter',
        filters: { tags: ['x', 'y'], namespace: 'n', version: '2', region: 'r',
          environment: 'prod' },
      });
  });

  it('takes a named port and percent-encoded names', () => {
    expect(target('my%20svc?port=grpc&tag=a%26b'))
      .toEqual({ service: 'my svc', filters: { tags: ['a&b'] }, portName: 'grpc' });
  });

  it('accepts roster:<service> (no authority part)', () => {
    expect(parseTarget({ scheme: 'roster', path: 'greeter' }).service).toBe('greeter');
  });

  it('refuses what it cannot honour', () => {
    expect(() => target('greeter', 'cluster-1')).toThrow(/no authority/);
    expect(() => target('')).toThrow(/expected roster:\/\/\/<service>/);
    expect(() => target('?zone=a')).toThrow(/expected roster/);
    expect(() => target('a/b')).toThrow(/expected roster/);
    expect(() => target('%E0%A4%A')).toThrow(/percent-encoding/);
    expect(() => target('greeter?tags=x')).toThrow(/unknown query key tags/);
    expect(() => target('greeter?zone=a&zone=b')).toThrow(/zone given twice/);
    expect(() => target('greeter?version=')).toThrow(/version is empty/);
  });
});

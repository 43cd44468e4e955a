import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../src/core/assert.js';
import {
  Registry, decodeCommand, decodeCommands, encodeCommand, encodeCommandBatch, validateInstance,
  type Command,
} from '../../src/registry/index.js';

const encoder = new TextEncoder();

/** Log entry data: a format byte, then the JSON text. */
function entryData(format: number, json: string): Uint8Array {
  return new Uint8Array([format, ...encoder.encode(json)]);
}

const REGISTER: Command = {
  op: 'register',
  instance: validateInstance({
    namespace: 'prod', service: 'web', id: 'web-1', address: '2001:db8::1', port: 443,
    ports: { metrics: 9090, http: 80 }, protocol: 'https', version: '1.2.3', environment: 'prod',
    region: 'eu', zone: 'eu-1a', tags: ['b', 'a'], metadata: { owner: 'team-ü', 'z.k': '😀' },
    weight: 0, priority: -3, capacity: 7,
  }),
};
const DEREGISTER: Command = {
  op: 'deregister', key: { namespace: 'default', service: 'db', id: '10.0.0.1:5432' },
};

describe('encodeCommand / decodeCommand', () => {
  it.each<[string, Command]>([
    ['register', REGISTER],
    ['deregister', DEREGISTER],
  ])('round-trips a %s command', (_name, command) => {
    const data = encodeCommand(command);
    expect(data[0]).toBe(1);
    const decoded = decodeCommand(data);
    expect(decoded).toEqual(command);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(command));
    expect(encodeCommand(decoded)).toEqual(data);
  });

  it('encodes deterministically', () => {
    expect(encodeCommand(REGISTER)).toEqual(encodeCommand(structuredClone(REGISTER)));
    expect(encodeCommand(REGISTER)).not.toEqual(encodeCommand(DEREGISTER));
  });

  it('reads a command at an offset inside a larger buffer', () => {
    const data = encodeCommand(DEREGISTER);
    const buffer = new Uint8Array(data.byteLength + 10);
    buffer.set(data, 5);
    expect(decodeCommand(buffer.subarray(5, 5 + data.byteLength))).toEqual(DEREGISTER);
  });

  it.each<[string, Uint8Array]>([
    ['format byte 0', entryData(0, JSON.stringify(DEREGISTER))],
    ['format byte 2', entryData(2, JSON.stringify(DEREGISTER))],
    ['format byte 255', entryData(255, JSON.stringify(DEREGISTER))],
    ['no data', new Uint8Array(0)],
    ['only a format byte', new Uint8Array([1])],
    ['an unknown op', entryData(1, '{"op":"purge","key":{}}')],
    ['a missing op', entryData(1, '{"key":{}}')],
    ['an op of the wrong case', entryData(1, '{"op":"Register"}')],
    ['JSON null', entryData(1, 'null')],
    ['a JSON number', entryData(1, '42')],
    ['a JSON string', entryData(1, '"register"')],
  ])('refuses %s with an AssertionError', (_name, data) => {
    expect(() => decodeCommand(data)).toThrow(AssertionError);
  });

  it('names the unknown format and op in the error', () => {
    expect(() => decodeCommand(entryData(7, '{}'))).toThrow('unknown command format 7');
    expect(() => decodeCommand(entryData(1, '{"op":"purge"}')))
      .toThrow('unknown command op purge');
  });

  it('refuses an unknown op encoded by encodeCommand', () => {
    const bogus = { op: 'purge', key: DEREGISTER.op === 'deregister' ? DEREGISTER.key : null };
    expect(() => decodeCommand(encodeCommand(bogus as unknown as Command)))
      .toThrow(AssertionError);
  });

  it('throws rather than decoding text that is not JSON', () => {
    expect(() => decodeCommand(entryData(1, '{"op":"register"'))).toThrow();
  });

  it('makes Registry.apply throw and change nothing on a bad entry', () => {
    const registry = new Registry();
    registry.apply({ index: 1, data: encodeCommand(REGISTER) });
    const before = registry.snapshot();
    const revision = registry.revision;
    expect(() => registry.apply({ index: 2, data: entryData(2, JSON.stringify(DEREGISTER)) }))
      .toThrow(AssertionError);
    expect(() => registry.apply({ index: 3, data: entryData(1, '{"op":"purge"}') }))
      .toThrow(AssertionError);
    expect(registry.snapshot()).toEqual(before);
    expect(registry.revision).toBe(revision);
  });
});

describe('encodeCommandBatch / decodeCommands', () => {
  it('round-trips commands in order, and reads a one-command entry as a list of one', () => {
    const batch = encodeCommandBatch([REGISTER, DEREGISTER, REGISTER].map(encodeCommand));
    expect(batch[0]).toBe(2);
    expect(decodeCommands(batch)).toEqual([REGISTER, DEREGISTER, REGISTER]);
    expect(decodeCommands(encodeCommand(DEREGISTER))).toEqual([DEREGISTER]);
  });

  it.each<[string, Uint8Array]>([
    ['an empty batch', entryData(2, '[]')],
    ['an object, not a list', entryData(2, JSON.stringify(DEREGISTER))],
    ['a list holding an unknown op', entryData(2, '[{"op":"purge"}]')],
    ['a list holding null', entryData(2, `[${JSON.stringify(DEREGISTER)},null]`)],
  ])('refuses %s with an AssertionError', (_name, data) => {
    expect(() => decodeCommands(data)).toThrow(AssertionError);
  });

  it('stops at a format written by a newer build, saying to upgrade', () => {
    expect(() => decodeCommands(entryData(3, '[]'))).toThrow(
      'command format 3 is newer than this build reads (formats 1-2): upgrade this node');
  });

  it('applies a batch entry command by command, one revision each', () => {
    const registry = new Registry();
    const second = { ...REGISTER, instance: { ...REGISTER.instance, id: 'web-2' } } as Command;
    const applied = registry.apply({ index: 1,
      data: encodeCommandBatch([REGISTER, second, DEREGISTER].map(encodeCommand)) });
    expect(applied.map(({ result }) => [result.op, result.ok, result.ok && result.revision]))
      .toEqual([['register', true, 2], ['register', true, 3], ['deregister', false, false]]);
    expect(registry.revision).toBe(3);
    expect(applied.map(({ events }) => events.length)).toEqual([1, 1, 0]);
  });
});

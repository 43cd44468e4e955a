import { describe, expect, it } from 'vitest';
import { namedPorts } from '../../src/cli/command-args.js';
import { REGISTER, WATCH } from '../../src/cli/command-specs.js';
import { parseFlags, parseInteger } from '../../src/cli/flags.js';
import { UsageError } from '../../src/cli/usage-error.js';

/** The usage error `run` throws (the test fails if it throws none, or another kind). */
function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  return expect.fail('expected a usage error');
}

const PORT = { min: 1, max: 65_535 };
const REQUIRED = ['--service', 'web', '--address', '10.0.0.1'];

describe('integers on the command line', () => {
  it.each(['-1', '4294975376', '0', '65536'])('--port %s is out of range, and says so', (text) => {
    expect(usageError(() => parseInteger('--port', text, PORT)).message)
      .toBe(`--port: ${text} is out of range (1-65535)`);
  });

  it.each(['1e3', '0x10', ' 80', '80 ', '8o', '', '+80', '80.0', '9007199254740993'])(
    '"%s" is not an integer', (text) => {
      expect(usageError(() => parseInteger('--port', text, PORT)).message)
        .toBe(`--port: "${text}" is not an integer (expected 1-65535)`);
    });

  it('takes digits with an optional minus, at both ends of the range', () => {
    expect(parseInteger('--port', '1', PORT)).toBe(1);
    expect(parseInteger('--port', '65535', PORT)).toBe(65_535);
    expect(parseInteger('--p', '-2147483648', { min: -(2 ** 31), max: 2 ** 31 - 1 }))
      .toBe(-(2 ** 31));
    expect(Object.is(parseInteger('--r', '-0', { min: 0, max: 1 }), 0)).toBe(true);
  });

  it('register range-checks each integer flag against its own range', () => {
    const refused = (extra: string[]): string => usageError(() =>
      parseFlags([...REQUIRED, '--port', '80', ...extra], REGISTER.flags, 'register')).message;
    expect(usageError(() => parseFlags([...REQUIRED, '--port=-1'], REGISTER.flags, 'register'))
      .message).toBe('--port: -1 is out of range (1-65535)');
    expect(usageError(() => parseFlags([...REQUIRED, '--port', '0'], REGISTER.flags, 'register'))
      .message).toBe('--port: 0 is out of range (1-65535)');
    expect(refused(['--ttl-ms', '999'])).toBe('--ttl-ms: 999 is out of range (1000-3600000)');
    expect(refused(['--ttl-ms', '3600001'])).toBe(
      '--ttl-ms: 3600001 is out of range (1000-3600000)');
    expect(refused(['--weight', '4294967296'])).toBe(
      '--weight: 4294967296 is out of range (0-4294967295)');
    expect(refused(['--priority', '2147483648'])).toBe(
      '--priority: 2147483648 is out of range (-2147483648 to 2147483647)');
    expect(refused(['--capacity', '-1'])).toBe('--capacity: -1 is out of range (0-4294967295)');
  });

  it('a negative value may follow its flag as the next word', () => {
    const { flags } = parseFlags([...REQUIRED, '--port', '80', '--priority', '-5'],
      REGISTER.flags, 'register');
    expect(flags.integer('priority')).toBe(-5);
    expect(usageError(() => parseFlags(['--from-revision', '-1'], WATCH.flags, 'watch')).message)
      .toBe('--from-revision: -1 is out of range (0-9007199254740991)');
  });

  it('--named-port name=port, each port checked as --port is', () => {
    expect(namedPorts(['grpc=9090', 'admin=1'])).toEqual({ grpc: 9090, admin: 1 });
    expect(usageError(() => namedPorts(['grpc=0'])).message)
      .toBe('--named-port grpc: 0 is out of range (1-65535)');
    expect(usageError(() => namedPorts(['grpc'])).message)
      .toBe('--named-port takes key=value, got "grpc"');
  });
});

describe('parseFlags', () => {
  it('says which required flag is missing', () => {
    expect(usageError(() => parseFlags(REQUIRED, REGISTER.flags, 'register')).message)
      .toBe('--port is required');
  });

  it('points an unknown flag to the command\'s --help', () => {
    expect(usageError(() => parseFlags(['--bogus'], WATCH.flags, 'watch')).message)
      .toContain('(roster watch --help lists its flags)');
  });

  it('applies the table\'s defaults to integers and choices', () => {
    const { flags } = parseFlags([], WATCH.flags, 'watch');
    expect(flags.integer('from-revision')).toBe(0);
    expect(flags.has('from-revision')).toBe(false);
  });
});

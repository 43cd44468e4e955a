import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_FLAGS, COMMAND_SPECS } from '../../src/cli/command-specs.js';
import { SERVE_FLAGS } from '../../src/config/index.js';
import { commandHelp, helpFor, overviewHelp, specFor, wantsHelp } from '../../src/cli/help.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const GITIGNORE = readFileSync(new URL('../../.gitignore', import.meta.url), 'utf8');

/** A flag as help and README name it: `--port` followed by a space, '=', a quote or the end. */
function names(text: string, flag: string): boolean {
  return new RegExp(`--${flag}(?![a-z-])`).test(text);
}

describe('--help comes from the tables the flags are parsed with', () => {
  it.each(COMMAND_SPECS.map((spec) => [spec.path, spec] as const))(
    'roster %s --help shows every flag it accepts', (_path, spec) => {
      const help = commandHelp(spec);
      const accepted = [...Object.keys(spec.flags),
        ...(spec.client ? Object.keys(CLIENT_FLAGS) : [])];
      for (const flag of accepted) expect(names(help, flag), `--${flag}`).toBe(true);
      expect(help).toContain(`roster ${spec.path}: ${spec.summary}`);
    });

  it('serve\'s table is config\'s list of serve flags, no more, no fewer', () => {
    const serve = COMMAND_SPECS.find((spec) => spec.path === 'serve');
    expect(Object.keys(serve?.flags ?? {}).sort()).toEqual([...SERVE_FLAGS].sort());
  });

  it('no command redefines a client flag', () => {
    for (const spec of COMMAND_SPECS.filter((one) => one.client)) {
      for (const flag of Object.keys(spec.flags)) {
        expect(Object.keys(CLIENT_FLAGS)).not.toContain(flag);
      }
    }
  });

  it('roster --help lists every command', () => {
    const overview = overviewHelp();
    for (const spec of COMMAND_SPECS) expect(overview).toContain(`  ${spec.path}  `);
  });

  it('finds the command a line names, subcommands included', () => {
    expect(specFor(['member', 'add', 'n4', '--help'])?.path).toBe('member add');
    expect(specFor(['members', '--help'])?.path).toBe('members');
    expect(specFor(['snapshot', 'restore', 'f.snap', '-h'])?.path).toBe('snapshot restore');
    expect(specFor(['member', '--help'])).toBeUndefined();
    expect(helpFor(['member'])).toContain('member promote NAME|ID');
    expect(helpFor(['nope'])).toBeUndefined();
  });

  it('--help or -h asks for help, unless it comes after --', () => {
    expect(wantsHelp(['web', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp(['--helpful'])).toBe(false);
  });
});

describe('README.md documents the command line', () => {
  it.each(COMMAND_SPECS.map((spec) => [spec.path, spec] as const))(
    'every flag of roster %s', (_path, spec) => {
      const missing = Object.keys(spec.flags).filter((flag) => !names(README, flag));
      expect(missing).toEqual([]);
    });

  it('the client flags', () => {
    expect(Object.keys(CLIENT_FLAGS).filter((flag) => !names(README, flag))).toEqual([]);
  });

  it('how to reset the dev cluster\'s data, which git ignores', () => {
    expect(README).toContain('npx roster dev --reset');
    expect(README).toContain('rm -rf .roster');
    const ignored = GITIGNORE.split('\n').map((line) => line.trim());
    expect(ignored).toContain('.roster/');
    expect(ignored).toContain('/*.snap');
  });
});

/** `roster --help`, `roster <command> --help`, `roster help <command>`: from command-specs.ts. */
import { CLIENT_FLAGS, COMMAND_SPECS, type CommandSpec } from './command-specs.js';
import { flagLines, flagSynopsis, twoColumns, wrap, type FlagTable } from './flags.js';

const EXIT_STATUS = 'Exit status: 0 success, 1 an error from the cluster (or none reachable), ' +
  '2 bad usage.';
const HELP_COLUMNS = 100;

/** The words of a command line that name a command, up to its first flag. */
function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-')) break;
    words.push(word);
  }
  return words;
}

/** The command `argv` names (longest match: 'member add' over 'member'), if any. */
export function specFor(argv: readonly string[]): CommandSpec | undefined {
  const words = commandWords(argv);
  return COMMAND_SPECS.find((spec) => {
    const path = spec.path.split(' ');
    return path.every((word, i) => words[i] === word);
  });
}

/** The commands under a first word with actions ('member' -> add, remove, promote). */
export function groupFor(word: string | undefined): CommandSpec[] {
  return COMMAND_SPECS.filter((spec) => spec.path.startsWith(`${word} `));
}

/** Whether the command line asks for help (before any `--`, after which words are values). */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** `roster register --service NAME --address HOST --port PORT [flags]`. */
export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.flags)
    .filter(([, flag]) => 'required' in flag && flag.required === true)
    .map(([name, flag]) => flagSynopsis(name, flag));
  const optional = Object.keys(spec.flags).length > required.length || spec.client;
  return ['roster', spec.path, ...(spec.args === undefined ? [] : [spec.args]), ...required,
    ...(optional ? ['[flags]'] : [])].join(' ');
}

function section(title: string, table: FlagTable): string[] {
  const lines = flagLines(table);
  return lines.length === 0 ? [] : ['', `${title}:`, ...lines];
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [
    `roster ${spec.path}: ${spec.summary}`, '', `usage: ${usageLine(spec)}`,
    ...section('flags', spec.flags),
    ...(spec.client ? section('client flags', CLIENT_FLAGS) : []),
    '', ...twoColumns([['-h, --help', 'print this help']]),
  ];
  for (const note of spec.notes ?? []) lines.push('', ...wrap(note, HELP_COLUMNS));
  return lines.join('\n');
}

export function groupHelp(word: string, specs: readonly CommandSpec[]): string {
  return [`usage: roster ${word} <action> [flags]`, '',
    ...twoColumns(specs.map((spec) => [`${spec.path}${spec.args === undefined ? ''
      : ` ${spec.args}`}`, spec.summary])),
    '', `roster ${word} <action> --help prints an action's flags.`].join('\n');
}

export function overviewHelp(): string {
  const list = (section: CommandSpec['section']): string[] => twoColumns(COMMAND_SPECS
    .filter((spec) => spec.section === section).map((spec) => [spec.path, spec.summary]));
  return [
    'roster: a highly available service registry', '',
    'usage: roster <command> [flags]     roster <command> --help: its flags', '',
    'server:', ...list('server'), '',
    ...wrap('client (each also takes --endpoints H:P,... or ROSTER_ENDPOINTS, --output ' +
      'table|json, --timeout-ms MS, and TLS --cacert, --cert, --key):', HELP_COLUMNS),
    ...list('client'), '', EXIT_STATUS,
  ].join('\n');
}

/** The help `argv` (after `roster`) asks for, or undefined if it names no command. */
export function helpFor(argv: readonly string[]): string | undefined {
  const spec = specFor(argv);
  if (spec !== undefined) return commandHelp(spec);
  const group = groupFor(argv[0]);
  return group.length === 0 ? undefined : groupHelp(argv[0] as string, group);
}

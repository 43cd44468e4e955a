/**
 * A flag is declared once, in a table (command-specs.ts): its parseArgs option, its check and
 * its --help line all come from that declaration, so no flag is accepted without being
 * documented, nor documented without being accepted.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { getErrorMessage } from '../core/assert.js';
import { UsageError } from './usage-error.js';

interface Described {
  /** What the flag does, for --help; its range, default and "repeatable" are added there. */
  readonly description: string;
}

export interface StringFlag extends Described {
  readonly kind: 'string';
  /** The value's name in --help, as in `--service NAME`. */
  readonly value: string;
  readonly multiple?: boolean;
  readonly required?: boolean;
  /** Shown in --help only: where the value comes from when the flag is absent. */
  readonly default?: string;
}

/** An integer, parsed strictly (digits, an optional '-') and checked against its range. */
export interface IntegerFlag extends Described {
  readonly kind: 'integer';
  readonly value: string;
  readonly min: number;
  readonly max: number;
  readonly required?: boolean;
  readonly default?: number;
}

export interface ChoiceFlag extends Described {
  readonly kind: 'choice';
  readonly choices: readonly string[];
  readonly default?: string;
}

export interface BooleanFlag extends Described {
  readonly kind: 'boolean';
}

export type FlagSpec = StringFlag | IntegerFlag | ChoiceFlag | BooleanFlag;
export type FlagTable = Readonly<Record<string, FlagSpec>>;

type KeysWhere<Table extends FlagTable, Shape> =
  { [Key in keyof Table]: Table[Key] extends Shape ? Key : never }[keyof Table] & string;

type SingleString<Table extends FlagTable> =
  Exclude<KeysWhere<Table, StringFlag>, KeysWhere<Table, { multiple: true }>>;
type WithDefault<Spec> = Spec extends { default: unknown } ? never : undefined;

/** A command's flags once parsed and checked; each accessor takes only flags of its kind. */
export class ParsedFlags<Table extends FlagTable> {
  private readonly values: ReadonlyMap<string, string | number | boolean | string[]>;
  private readonly table: Table;

  constructor(table: Table, values: ReadonlyMap<string, string | number | boolean | string[]>) {
    this.table = table;
    this.values = values;
  }

  string<Key extends SingleString<Table>>(name: Key): string | undefined {
    return this.values.get(name) as string | undefined;
  }

  list<Key extends KeysWhere<Table, { multiple: true }>>(name: Key): string[] {
    return (this.values.get(name) as string[] | undefined) ?? [];
  }

  integer<Key extends KeysWhere<Table, IntegerFlag>>(name: Key):
    number | WithDefault<Table[Key]> {
    const spec = this.table[name] as IntegerFlag;
    return (this.values.get(name) ?? spec.default) as number;
  }

  choice<Key extends KeysWhere<Table, ChoiceFlag>>(name: Key): string | WithDefault<Table[Key]> {
    const spec = this.table[name] as ChoiceFlag;
    return (this.values.get(name) ?? spec.default) as string;
  }

  boolean<Key extends KeysWhere<Table, BooleanFlag>>(name: Key): boolean {
    return this.values.get(name) === true;
  }

  /** Whether the flag was given at all. */
  has(name: keyof Table & string): boolean {
    return this.values.has(name);
  }
}

const INTEGER = /^-?[0-9]+$/;

/**
 * An integer from the command line: only digits with an optional leading '-' (no "1e3", no
 * "0x10", no blanks), safe in a double, within [min, max]. `label` names it in the message.
 */
export function parseInteger(label: string, text: string, range: { min: number; max: number }):
  number {
  const value = INTEGER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new UsageError(`${label}: "${text}" is not an integer (expected ${rangeText(range)})`);
  }
  if (value < range.min || value > range.max) {
    throw new UsageError(`${label}: ${text} is out of range (${rangeText(range)})`);
  }
  // "-0" is 0.
  return value === 0 ? 0 : value;
}

function rangeText(range: { min: number; max: number }): string {
  return range.min < 0 ? `${range.min} to ${range.max}` : `${range.min}-${range.max}`;
}

/** What parseArgs is told: integers and choices arrive as strings and are checked after. */
export function parseArgsOptions(table: FlagTable): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, {
    type: spec.kind === 'boolean' ? 'boolean' as const : 'string' as const,
    ...(spec.kind === 'string' && spec.multiple === true ? { multiple: true } : {}),
  }]));
}

/**
 * Parses `args` against the table: unknown flags, missing values, bad integers and choices,
 * and missing required flags are usage errors that name the flag. `command` is the command's
 * name, for the hint to its --help.
 */
export function parseFlags<Table extends FlagTable>(
  args: readonly string[],
  table: Table,
  command: string,
): { flags: ParsedFlags<Table>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegatives(args, table), options: parseArgsOptions(table), allowPositionals: true,
      strict: true,
    });
  } catch (error: unknown) {
    throw new UsageError(`${getErrorMessage(error)} (roster ${command} --help lists its flags)`);
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const values = new Map<string, string | number | boolean | string[]>();
  for (const [name, spec] of Object.entries(table)) {
    const value = checked(name, spec, raw[name]);
    if (value !== undefined) values.set(name, value);
  }
  return { flags: new ParsedFlags(table, values), positionals: parsed.positionals };
}

/**
 * `--priority -5` as `--priority=-5`: parseArgs takes a value that starts with '-' for a flag
 * of its own, and a negative number is a legitimate value of an integer flag.
 */
function joinNegatives(args: readonly string[], table: FlagTable): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const spec = arg.startsWith('--') ? table[arg.slice(2)] : undefined;
    if (spec?.kind === 'integer' && next !== undefined && /^-[0-9]/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

function checked(name: string, spec: FlagSpec, raw: string | boolean | string[] | undefined):
  string | number | boolean | string[] | undefined {
  if (raw === undefined) {
    if ('required' in spec && spec.required === true) {
      throw new UsageError(`--${name} is required`);
    }
    return undefined;
  }
  if (spec.kind === 'integer') return parseInteger(`--${name}`, raw as string, spec);
  if (spec.kind === 'choice' && !spec.choices.includes(raw as string)) {
    throw new UsageError(`--${name} must be ${spec.choices.join(' or ')}, got "${String(raw)}"`);
  }
  if (spec.kind === 'string' && spec.required === true && raw === '') {
    throw new UsageError(`--${name} is required (and not empty)`);
  }
  return raw;
}

/** `--port PORT`, `--output table|json`, `--keepalive`. */
export function flagSynopsis(name: string, spec: FlagSpec): string {
  switch (spec.kind) {
    case 'boolean': return `--${name}`;
    case 'choice': return `--${name} ${spec.choices.join('|')}`;
    default: return `--${name} ${spec.value}`;
  }
}

/** The description with what the table knows: range, default, required, repeatable. */
export function flagDescription(spec: FlagSpec): string {
  const notes: string[] = [];
  if (spec.kind === 'integer') notes.push(rangeText(spec));
  if ('required' in spec && spec.required === true) notes.push('required');
  if ('default' in spec && spec.default !== undefined) notes.push(`default ${spec.default}`);
  if (spec.kind === 'string' && spec.multiple === true) notes.push('repeatable');
  return notes.length === 0 ? spec.description : `${spec.description} (${notes.join('; ')})`;
}

/** Help lines never run past this; longer descriptions wrap under themselves. */
const HELP_COLUMNS = 100;
/** A synopsis wider than this puts its description on the next line. */
const SYNOPSIS_COLUMNS_MAX = 30;

/** The two-column `--flag VALUE   description` lines of --help. */
export function flagLines(table: FlagTable): string[] {
  const rows = Object.entries(table).map(([name, spec]) =>
    [flagSynopsis(name, spec), flagDescription(spec)] as const);
  return twoColumns(rows);
}

export function twoColumns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.min(SYNOPSIS_COLUMNS_MAX,
    Math.max(0, ...rows.map(([left]) => left.length)));
  const indent = ' '.repeat(2 + width + 2);
  const lines: string[] = [];
  for (const [left, right] of rows) {
    const wrapped = wrap(right, HELP_COLUMNS - indent.length);
    if (left.length > width) {
      lines.push(`  ${left}`);
      lines.push(...wrapped.map((line) => `${indent}${line}`));
    } else {
      lines.push(`  ${left.padEnd(width)}  ${wrapped[0] ?? ''}`);
      lines.push(...wrapped.slice(1).map((line) => `${indent}${line}`));
    }
  }
  return lines;
}

/** Words into lines of at most `columns` characters (a longer word gets a line of its own). */
export function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > columns) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * The transcript file format (etcd-io/raft's datadriven, simplified): `#` comment lines and
 * blank lines are kept as they are; a command line is followed by `----` and its output, which
 * ends at the next blank line. Outputs therefore never contain blank lines.
 */

export interface Block {
  /** Comment and blank lines before the command. */
  readonly preamble: readonly string[];
  readonly command: string;
  /** 1-based line of the command in its file. */
  readonly line: number;
  readonly expected: readonly string[];
}

export interface Transcript {
  readonly blocks: readonly Block[];
  /** Comment and blank lines after the last command. */
  readonly trailer: readonly string[];
}

const SEPARATOR = '----';

export function parseTranscript(text: string, name: string): Transcript {
  const lines = text.replace(/\n$/, '').split('\n');
  const blocks: Block[] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (line.trim() === '' || line.startsWith('#')) {
      preamble.push(line);
      i += 1;
      continue;
    }
    if (lines[i + 1] !== SEPARATOR) {
      throw new Error(`${name}:${i + 2}: expected '${SEPARATOR}' after command '${line}'`);
    }
    const expected: string[] = [];
    let j = i + 2;
    while (j < lines.length && (lines[j] as string).trim() !== '') {
      expected.push(lines[j] as string);
      j += 1;
    }
    blocks.push({ preamble, command: line, line: i + 1, expected });
    preamble = [];
    i = j + 1; // past the blank line that ends the output
  }
  return { blocks, trailer: preamble };
}

/** The transcript with `outputs` (one per block) in place of the expected outputs. */
export function renderTranscript(transcript: Transcript, outputs: readonly string[][]): string {
  const blocks = transcript.blocks.map((block, i) =>
    [...block.preamble, block.command, SEPARATOR, ...(outputs[i] ?? [])].join('\n'));
  const trailer = transcript.trailer.length > 0 ? `\n\n${transcript.trailer.join('\n')}` : '';
  return `${blocks.join('\n\n')}${trailer}\n`;
}

/** A report of every block whose output differs, each with a line diff; '' when none. */
export function describeMismatches(
  name: string, transcript: Transcript, outputs: readonly string[][],
): string {
  const reports: string[] = [];
  transcript.blocks.forEach((block, i) => {
    const actual = outputs[i] ?? [];
    if (actual.join('\n') === block.expected.join('\n')) return;
    reports.push(`${name}:${block.line}: ${block.command} (- expected, + actual)\n` +
      lineDiff(block.expected, actual).map((line) => `  ${line}`).join('\n'));
  });
  return reports.join('\n\n');
}

/** A minimal line diff (longest common subsequence): ' ' same, '-' expected, '+' actual. */
export function lineDiff(expected: readonly string[], actual: readonly string[]): string[] {
  const n = expected.length;
  const m = actual.length;
  // lcs(i, j): length of the longest common subsequence of expected[i..] and actual[j..].
  const table = new Int32Array((n + 1) * (m + 1));
  const lcs = (i: number, j: number): number => table[i * (m + 1) + j] as number;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * (m + 1) + j] = expected[i] === actual[j]
        ? lcs(i + 1, j + 1) + 1
        : Math.max(lcs(i + 1, j), lcs(i, j + 1));
    }
  }
  const diff: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      diff.push(`  ${expected[i]}`);
      i += 1;
      j += 1;
    } else if (i < n && (j === m || lcs(i + 1, j) >= lcs(i, j + 1))) {
      diff.push(`- ${expected[i]}`);
      i += 1;
    } else {
      diff.push(`+ ${actual[j]}`);
      j += 1;
    }
  }
  return diff;
}

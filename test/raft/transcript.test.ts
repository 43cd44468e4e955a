import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeMismatches, parseTranscript, renderTranscript } from './transcript/file.js';
import { Harness } from './transcript/harness.js';

/**
 * Transcript tests (etcd-io/raft's datadriven testdata): each testdata/*.txt lists commands and
 * the exact output they must print. With ROSTER_REWRITE_TRANSCRIPTS=1 the actual output is
 * written back instead, to be read and checked line by line before it is kept.
 */
const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const REWRITE = process.env.ROSTER_REWRITE_TRANSCRIPTS === '1';
const files = readdirSync(TESTDATA).filter((name) => name.endsWith('.txt')).sort();

describe('Raft transcripts', () => {
  it('has transcripts to run', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (name) => {
    const path = join(TESTDATA, name);
    const transcript = parseTranscript(readFileSync(path, 'utf8'), name);
    const harness = new Harness();
    const outputs = transcript.blocks.map((block) => {
      try {
        return harness.run(block.command);
      } catch (error) {
        throw new Error(`${name}:${block.line}: ${block.command}: ${String(error)}`,
          { cause: error });
      }
    });
    if (REWRITE) {
      writeFileSync(path, renderTranscript(transcript, outputs));
      return;
    }
    const mismatches = describeMismatches(name, transcript, outputs);
    if (mismatches !== '') {
      expect.fail(`${mismatches}\n\n(ROSTER_REWRITE_TRANSCRIPTS=1 rewrites the files; ` +
        'read the new output before keeping it)');
    }
  });
});

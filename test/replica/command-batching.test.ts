import { describe, expect, it } from 'vitest';
import { limits } from '../../src/core/limits.js';
import type { Entry } from '../../src/raft/index.js';
import {
  decodeCommands, validateInstance, type Command, type CommandResult,
} from '../../src/registry/index.js';
import type { CommandOutcome } from '../../src/replica/command-batcher.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { bootstrap, leading, member, startNode } from './node-harness.js';

function register(id: string): Command {
  return {
    op: 'register',
    instance: validateInstance({ service: 'web', id, address: '10.0.0.1', port: 80 }),
  };
}

/** A leading one-node cluster that records every normal entry it applies. */
async function leader() {
  const applied: { entry: Entry; results: CommandResult[] }[] = [];
  const storage = MemoryStorage.fromSnapshot(bootstrap([member(1, 'a')]),
    { term: 1, vote: 0, commit: 1 });
  const node = startNode(storage, {
    observer: {
      onApply: (entry, results) => {
        if (entry.type === 'normal' && results !== undefined) applied.push({ entry, results });
      },
    },
  });
  const facade = await leading(node);
  applied.length = 0;
  return { node, facade, applied };
}

function proposeAll(
  node: Awaited<ReturnType<typeof leader>>['node'], commands: readonly Command[],
): Promise<CommandOutcome[]> {
  return Promise.all(commands.map((command) =>
    new Promise<CommandOutcome>((resolve) => node.proposeWith(command, resolve))));
}

describe('RegistryNode: commands proposed in one turn share one entry', () => {
  it('applies them in order, each with its own result and revision', async () => {
    const { node, applied } = await leader();
    const commands = [register('a'), register('b'), register('c'),
      { op: 'deregister', key: { namespace: 'default', service: 'web', id: 'zz' } } as Command,
      register('d')];
    const outcomes = await proposeAll(node, commands);

    expect(applied).toHaveLength(1);
    const [only] = applied;
    expect(decodeCommands(only!.entry.data)).toEqual(commands);
    expect(outcomes.map((outcome) => outcome.slot)).toEqual([0, 1, 2, 3, 4]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'committed', index: only!.entry.index });
    }
    const results = outcomes.map((outcome) =>
      (outcome.status === 'committed' ? outcome.result : undefined));
    expect(results[3]).toMatchObject({ op: 'deregister', ok: false,
      failure: { code: 'not_found' } });
    const revisions = results.filter((result) => result?.ok === true)
      .map((result) => result!.revision);
    expect(revisions).toEqual([revisions[0], revisions[0]! + 1, revisions[0]! + 2,
      revisions[0]! + 3]);
    const web = node.registry.instances({ namespace: 'default', service: 'web' });
    expect(web.map((instance) => instance.id).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('starts a new entry past commandsPerEntryMax', async () => {
    const { node, applied } = await leader();
    const count = limits.commandsPerEntryMax + 3;
    const commands = Array.from({ length: count }, (_, i) => register(`i${i}`));
    const outcomes = await proposeAll(node, commands);
    expect(outcomes.every((outcome) => outcome.status === 'committed')).toBe(true);
    expect(applied.map(({ results }) => results.length))
      .toEqual([limits.commandsPerEntryMax, 3]);
    expect(node.registry.size).toBe(count);
  });

  it('refuses what it gathered when the node stops before proposing it', async () => {
    const { node, applied } = await leader();
    const pending = proposeAll(node, [register('a'), register('b')]);
    node.stop();
    const outcomes = await pending;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(outcomes[0]).toMatchObject({ error: { code: 'ROSTER_ERR_STOPPED' } });
    expect(applied).toHaveLength(0);
    expect(node.registry.size).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { isRosterError } from '../../src/core/errors.js';
import { makeMessage } from '../../src/raft/index.js';
import { encodeMemberContext } from '../../src/registry/index.js';
import { MemoryStorage } from '../../src/storage/index.js';
import { bootstrap, confEntry, leading, member, startNode } from './node-harness.js';

describe('RegistryNode: members', () => {
  it('at start, names every member its snapshot and its log name, not only the snapshot\'s',
    () => {
      const storage = MemoryStorage.fromSnapshot(
        bootstrap([member(1, 'a'), member(2, 'b'), member(3, 'c')]),
        { term: 1, vote: 0, commit: 1 });
      storage.append([
        confEntry(2,
          { type: 'addLearner', nodeId: 4, context: encodeMemberContext(member(4, 'd')) }),
        confEntry(3, { type: 'promote', nodeId: 4, context: new Uint8Array(0) }),
        confEntry(4, { type: 'remove', nodeId: 2, context: new Uint8Array(0) }),
      ]);
      const announced: number[] = [];
      startNode(storage, { onPeer: (peer) => announced.push(peer.id) });
      // The removal is not applied yet: its connection goes when it is.
      expect(announced.sort()).toEqual([2, 3, 4]);
    });

  it('replaces a member whose data dir was lost, and refuses one that is still heard from',
    async () => {
      const storage = MemoryStorage.fromSnapshot(
        bootstrap([member(1, 'a')], [member(5, 'b'), member(7, 'c')]),
        { term: 1, vote: 0, commit: 1 });
      const raw = startNode(storage);
      const node = await leading(raw);
      const refusal = await node.addMember(member(6, 'b')).catch((error: unknown) => error);
      expect(isRosterError(refusal, 'ROSTER_ERR_CONF_CHANGE_INVALID')).toBe(true);
      expect((refusal as Error).message).toContain('already a member (id 5)');

      const added = await node.addMember(member(6, 'b'), { replace: true });
      expect(added).toMatchObject({ id: 6, name: 'b', learner: true });
      expect(node.members().map((one) => [one.id, one.name])).toEqual([[1, 'a'], [6, 'b'],
        [7, 'c']]);
      // Asking again (a retry) changes nothing.
      expect(await node.addMember(member(6, 'b'), { replace: true })).toMatchObject({ id: 6 });

      // Member 7 is alive: another process with its name must not take its place.
      raw.receive(makeMessage({ type: 'appResp', from: 7, to: 1, term: 2, index: 0 }));
      const alive = await node.addMember(member(8, 'c'), { replace: true })
        .catch((error: unknown) => error);
      expect(isRosterError(alive, 'ROSTER_ERR_CONF_CHANGE_INVALID')).toBe(true);
      expect((alive as Error).message).toContain('another process runs under that name');
      expect(node.memberNamed('c')?.id).toBe(7);
    });
});

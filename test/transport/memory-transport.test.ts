import { describe, expect, it } from 'vitest';

import { makeMessage, type Message, type NodeId } from '../../src/raft/index.js';
import { MemoryNetwork, type MemoryTransport } from '../../src/transport/memory-transport.js';

interface Node {
  readonly transport: MemoryTransport;
  readonly received: Message[];
  readonly unreachable: NodeId[];
  readonly snapshotReports: { to: NodeId; succeeded: boolean }[];
}

function join(network: MemoryNetwork, id: NodeId): Node {
  const received: Message[] = [];
  const unreachable: NodeId[] = [];
  const snapshotReports: { to: NodeId; succeeded: boolean }[] = [];
  const transport = network.transport(id, {
    onMessage: (message) => received.push(message),
    onUnreachable: (to) => unreachable.push(to),
    onSnapshotReport: (to, succeeded) => snapshotReports.push({ to, succeeded }),
  });
  return { transport, received, unreachable, snapshotReports };
}

function heartbeat(from: NodeId, to: NodeId, commit: number): Message {
  return makeMessage({ type: 'heartbeat', from, to, term: 1, commit });
}

function snap(from: NodeId, to: NodeId): Message {
  return makeMessage({
    type: 'snap', from, to, term: 1,
    snapshot: { metadata: { index: 9, term: 1, confState: { voters: [1, 2, 3], learners: [] } },
      data: new Uint8Array([1, 2, 3]) },
  });
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MemoryNetwork', () => {
  it('delivers asynchronously, in order, to the addressed node', async () => {
    const network = new MemoryNetwork();
    const [a, b, c] = [join(network, 1), join(network, 2), join(network, 3)];
    a.transport.send([heartbeat(1, 2, 1), heartbeat(1, 3, 1)]);
    a.transport.send([heartbeat(1, 2, 2)]);
    expect(b.received).toEqual([]); // never inside send()
    await turn();
    await turn();
    expect(b.received.map((m) => m.commit)).toEqual([1, 2]);
    expect(c.received.map((m) => m.commit)).toEqual([1]);
    expect(a.unreachable).toEqual([]);
    expect(network.delivered).toBe(3);
  });

  it('drops messages on cut links and reports the peer unreachable until healed', async () => {
    const network = new MemoryNetwork();
    const [a, b, c] = [join(network, 1), join(network, 2), join(network, 3)];
    network.cut(1, 2);
    expect(network.isCut(2, 1)).toBe(true);
    a.transport.send([heartbeat(1, 2, 1), heartbeat(1, 3, 1)]);
    b.transport.send([heartbeat(2, 1, 1)]);
    await turn();
    expect(b.received).toEqual([]);
    expect(a.received).toEqual([]);
    expect(c.received).toHaveLength(1);
    expect(a.unreachable).toEqual([2]);
    expect(b.unreachable).toEqual([1]);
    network.heal();
    a.transport.send([heartbeat(1, 2, 2)]);
    await turn();
    expect(b.received.map((m) => m.commit)).toEqual([2]);
  });

  it('drops a message whose link is cut while it is in flight', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [join(network, 1), join(network, 2)];
    a.transport.send([heartbeat(1, 2, 1)]);
    network.cut(1, 2);
    await turn();
    expect(b.received).toEqual([]);
    expect(network.dropped).toBe(1);
  });

  it('reports snapshots delivered as succeeded and dropped as failed', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [join(network, 1), join(network, 2)];
    a.transport.send([snap(1, 2)]);
    await turn();
    expect(b.received[0]?.snapshot?.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(a.snapshotReports).toEqual([{ to: 2, succeeded: true }]);
    network.cut(1, 2);
    a.transport.send([snap(1, 2), snap(1, 7)]);
    await turn();
    expect(a.snapshotReports).toEqual([
      { to: 2, succeeded: true }, { to: 2, succeeded: false }, { to: 7, succeeded: false },
    ]);
    expect(a.unreachable).toEqual([]);
  });

  it('closing a transport detaches its node', async () => {
    const network = new MemoryNetwork();
    const [a, b] = [join(network, 1), join(network, 2)];
    b.transport.close();
    b.transport.close();
    a.transport.send([heartbeat(1, 2, 1)]);
    b.transport.send([heartbeat(2, 1, 1)]);
    await turn();
    expect(b.received).toEqual([]);
    expect(a.received).toEqual([]);
    expect(a.unreachable).toEqual([2]);
    // The id is free again: a restarted node joins under it.
    const again = join(network, 2);
    a.transport.send([heartbeat(1, 2, 2)]);
    await turn();
    expect(again.received.map((m) => m.commit)).toEqual([2]);
  });

  it('refuses a second transport for the same id', () => {
    const network = new MemoryNetwork();
    join(network, 1);
    expect(() => join(network, 1)).toThrow(/already on the network/);
  });
});

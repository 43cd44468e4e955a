import { describe, expect, it } from 'vitest';
import { Progress, type ProgressState } from '../../src/raft/progress.js';

interface Setup {
  state: ProgressState;
  match: number;
  next: number;
  pendingSnapshot?: number;
}

/** A progress in `state` with the given match and next (and pending snapshot). */
function progress(setup: Setup, inflightMessagesMax = 4): Progress {
  const pr = new Progress({
    next: setup.next,
    isLearner: false,
    recentActive: false,
    inflightMessagesMax,
    inflightBytesMax: 1_000_000,
  });
  pr.match = setup.match;
  if (setup.state === 'replicate') pr.becomeReplicate();
  if (setup.state === 'snapshot') pr.becomeSnapshot(setup.pendingSnapshot ?? 0);
  pr.next = setup.next;
  return pr;
}

describe('Progress', () => {
  it('starts in probe at the given next, with nothing matched', () => {
    const pr = progress({ state: 'probe', match: 0, next: 7 });
    expect(pr.state).toBe('probe');
    expect(pr.next).toBe(7);
    expect(pr.match).toBe(0);
    expect(pr.isPaused()).toBe(false);
  });

  it.each([
    // [match, pendingSnapshot, expected next]
    [1, 10, 11],
    [20, 10, 21],
    [10, 10, 11],
    [0, 0, 1],
  ])('becomeProbe from snapshot (match %d, pending %d) probes from %d', (match, pending, next) => {
    const pr = progress({ state: 'snapshot', match, next: pending + 1, pendingSnapshot: pending });
    pr.becomeProbe();
    expect(pr.state).toBe('probe');
    expect(pr.next).toBe(next);
    expect(pr.pendingSnapshot).toBe(0);
    expect(pr.probeSent).toBe(false);
  });

  it.each(['probe', 'replicate'] as const)('becomeProbe from %s probes from match + 1', (state) => {
    const pr = progress({ state, match: 5, next: 12 });
    pr.probeSent = true;
    pr.becomeProbe();
    expect(pr.state).toBe('probe');
    expect(pr.next).toBe(6);
    expect(pr.probeSent).toBe(false);
  });

  it('becomeReplicate sends from match + 1 with empty inflights', () => {
    const pr = progress({ state: 'replicate', match: 3, next: 4 });
    pr.sentEntries({ firstIndex: 4, count: 2, bytes: 10 });
    pr.becomeReplicate();
    expect(pr.next).toBe(4);
    expect(pr.inflights.count).toBe(0);
  });

  it('becomeSnapshot records the snapshot and sends after it', () => {
    const pr = progress({ state: 'probe', match: 2, next: 3 });
    pr.becomeSnapshot(40);
    expect(pr.state).toBe('snapshot');
    expect(pr.pendingSnapshot).toBe(40);
    expect(pr.next).toBe(41);
  });

  it.each([
    // [state, match, next, ack, expected match, expected next]
    ['probe', 0, 1, 5, 5, 6],
    ['probe', 2, 10, 4, 4, 10],
    ['replicate', 3, 9, 9, 9, 10],
    ['replicate', 3, 9, 5, 5, 9],
    ['snapshot', 0, 11, 10, 10, 11],
  ] as const)('maybeUpdate in %s (match %d, next %d) of %d -> match %d, next %d',
    (state, match, next, ack, wantMatch, wantNext) => {
      const pr = progress({ state, match, next, pendingSnapshot: next - 1 });
      expect(pr.maybeUpdate(ack)).toBe(true);
      expect(pr.match).toBe(wantMatch);
      expect(pr.next).toBe(wantNext);
      expect(pr.match).toBeLessThan(pr.next);
    });

  it.each([4, 5])('maybeUpdate ignores a stale ack of %d when match is 5', (ack) => {
    const pr = progress({ state: 'replicate', match: 5, next: 8 });
    expect(pr.maybeUpdate(ack)).toBe(false);
    expect(pr.match).toBe(5);
    expect(pr.next).toBe(8);
  });

  it('maybeUpdate clears probeSent so the next probe can go', () => {
    const pr = progress({ state: 'probe', match: 0, next: 4 });
    pr.sentEntries({ firstIndex: 4, count: 1, bytes: 1 });
    expect(pr.isPaused()).toBe(true);
    expect(pr.maybeUpdate(4)).toBe(true);
    expect(pr.probeSent).toBe(false);
    expect(pr.isPaused()).toBe(false);
  });

  it.each([
    // [match, next, rejected, hint, expected next]
    [0, 10, 9, 20, 9], // hint above rejected: min keeps rejected
    [0, 10, 9, 4, 5], // hint skips back to hint + 1
    [3, 10, 9, 1, 4], // never below match + 1
    [0, 10, 9, 0, 1],
    [5, 6, 5, 5, 6], // rejected next - 1 == match: stays at match + 1
  ])('maybeDecrTo in probe (match %d, next %d) rejected %d hint %d -> next %d',
    (match, next, rejected, hint, want) => {
      const pr = progress({ state: 'probe', match, next });
      pr.probeSent = true;
      expect(pr.maybeDecrTo(rejected, hint)).toBe(true);
      expect(pr.next).toBe(want);
      expect(pr.probeSent).toBe(false);
    });

  it.each([8, 10, 3])('maybeDecrTo in probe ignores a stale rejection of %d (next 10)',
    (rejected) => {
      const pr = progress({ state: 'probe', match: 2, next: 10 });
      pr.probeSent = true;
      expect(pr.maybeDecrTo(rejected, 0)).toBe(false);
      expect(pr.next).toBe(10);
      expect(pr.probeSent).toBe(true);
    });

  it.each([
    // [rejected, hint]
    [6, 0],
    [9, 8],
    [20, 2],
  ])('maybeDecrTo in replicate resets next to match + 1 (rejected %d, hint %d)',
    (rejected, hint) => {
      const pr = progress({ state: 'replicate', match: 5, next: 15 });
      expect(pr.maybeDecrTo(rejected, hint)).toBe(true);
      expect(pr.next).toBe(6);
      expect(pr.state).toBe('replicate');
    });

  it.each([5, 4, 0])('maybeDecrTo in replicate ignores rejection %d <= match 5', (rejected) => {
    const pr = progress({ state: 'replicate', match: 5, next: 15 });
    expect(pr.maybeDecrTo(rejected, 0)).toBe(false);
    expect(pr.next).toBe(15);
  });

  it('isPaused in probe follows probeSent', () => {
    const pr = progress({ state: 'probe', match: 0, next: 1 });
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries({ firstIndex: 1, count: 0, bytes: 0 });
    expect(pr.probeSent).toBe(true);
    expect(pr.isPaused()).toBe(true);
  });

  it('isPaused in replicate follows the inflights being full', () => {
    const pr = progress({ state: 'replicate', match: 0, next: 1 }, 2);
    pr.sentEntries({ firstIndex: 1, count: 1, bytes: 1 });
    expect(pr.isPaused()).toBe(false);
    pr.sentEntries({ firstIndex: 2, count: 1, bytes: 1 });
    expect(pr.isPaused()).toBe(true);
    pr.inflights.freeLE(1);
    expect(pr.isPaused()).toBe(false);
  });

  it('isPaused in snapshot always', () => {
    const pr = progress({ state: 'snapshot', match: 0, next: 6, pendingSnapshot: 5 });
    expect(pr.isPaused()).toBe(true);
    pr.probeSent = false;
    expect(pr.isPaused()).toBe(true);
  });

  it('sentEntries in replicate advances next past the last entry and records it', () => {
    const pr = progress({ state: 'replicate', match: 4, next: 5 });
    pr.sentEntries({ firstIndex: 5, count: 3, bytes: 30 });
    expect(pr.next).toBe(8);
    expect(pr.inflights.count).toBe(1);
    expect(pr.inflights.bytes).toBe(30);
    pr.sentEntries({ firstIndex: 8, count: 2, bytes: 5 });
    expect(pr.next).toBe(10);
    expect(pr.inflights.count).toBe(2);
    pr.inflights.freeLE(7); // the first message ended at 7
    expect(pr.inflights.count).toBe(1);
    expect(pr.inflights.bytes).toBe(5);
    expect(pr.probeSent).toBe(false);
  });

  it('sentEntries in replicate with no entries changes nothing', () => {
    const pr = progress({ state: 'replicate', match: 4, next: 5 });
    pr.sentEntries({ firstIndex: 5, count: 0, bytes: 0 });
    expect(pr.next).toBe(5);
    expect(pr.inflights.count).toBe(0);
  });

  it('sentEntries in probe sets probeSent and leaves next and inflights alone', () => {
    const pr = progress({ state: 'probe', match: 4, next: 5 });
    pr.sentEntries({ firstIndex: 5, count: 3, bytes: 30 });
    expect(pr.probeSent).toBe(true);
    expect(pr.next).toBe(5);
    expect(pr.inflights.count).toBe(0);
  });

  it('sentEntries in snapshot changes nothing', () => {
    const pr = progress({ state: 'snapshot', match: 0, next: 6, pendingSnapshot: 5 });
    pr.sentEntries({ firstIndex: 6, count: 2, bytes: 2 });
    expect(pr.next).toBe(6);
    expect(pr.probeSent).toBe(false);
    expect(pr.inflights.count).toBe(0);
  });

  it.each(['probe', 'replicate', 'snapshot'] as const)('state changes from %s clear the flow state',
    (state) => {
      const pr = progress({ state, match: 1, next: 2, pendingSnapshot: 1 });
      pr.probeSent = true;
      pr.snapshotTicks = 3;
      pr.becomeReplicate();
      expect(pr.probeSent).toBe(false);
      expect(pr.snapshotTicks).toBe(0);
      expect(pr.pendingSnapshot).toBe(0);
    });
});

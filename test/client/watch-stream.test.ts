import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  WatchStream, refusalError, type WatchCarrier, type WatchUpdate,
} from '../../src/client/watch-stream.js';
import { ERROR_CODE_KEY } from '../../src/core/errors.js';
import { putEvent, watchResponse } from './watch-responses.js';

class RecordingCarrier implements WatchCarrier {
  readonly added: WatchStream[] = [];
  readonly removed: WatchStream[] = [];
  add(watch: WatchStream): void {
    this.added.push(watch);
  }
  remove(watch: WatchStream): void {
    this.removed.push(watch);
  }
}

function watch(startRevision = 10): {
  stream: WatchStream; carrier: RecordingCarrier; updates: WatchUpdate[];
} {
  const carrier = new RecordingCarrier();
  const updates: WatchUpdate[] = [];
  const stream = new WatchStream({
    request: { namespace: 'prod', service: 'api' }, startRevision,
    onUpdate: (update) => updates.push(update),
  }, carrier);
  return { stream, carrier, updates };
}

describe('WatchStream', () => {
  it('delivers every response in the order received, as its kind of update', () => {
    const { stream, updates } = watch();
    stream.receive(watchResponse({ snapshot: true, events: [putEvent(3)], revision: 12 }));
    stream.receive(watchResponse({ snapshot: true, events: [putEvent(8)], revision: 12 }));
    stream.receive(watchResponse({ caught_up: true, revision: 12 }));
    stream.receive(watchResponse({ events: [putEvent(13)], revision: 13 }));
    stream.receive(watchResponse({ progress: true, revision: 15 }));
    stream.receive(watchResponse({ events: [putEvent(16), putEvent(16)], revision: 16 }));
    expect(updates.map((update) => [update.kind, update.revision])).toEqual([
      ['snapshot', 12], ['snapshot', 12], ['caughtUp', 12], ['events', 13], ['progress', 15],
      ['events', 16],
    ]);
    expect(updates.flatMap((update) => 'events' in update ?
      update.events.map((event) => event.revision) : [])).toEqual([3, 8, 13, 16, 16]);
  });

  it('is created from its start revision, then from the last revision received in full', () => {
    const { stream } = watch(10);
    expect(stream.createRequest()).toEqual({ namespace: 'prod', service: 'api',
      start_revision: 10 });
    stream.receive(watchResponse({ events: [putEvent(11)], revision: 11 }));
    expect(stream.createRequest().start_revision).toBe(11);
    stream.receive(watchResponse({ progress: true, revision: 14 }));
    expect(stream.revision).toBe(14);
  });

  it('does not resume from the middle of a snapshot', () => {
    const { stream } = watch(10);
    stream.receive(watchResponse({ snapshot: true, events: [putEvent(3)], revision: 40 }));
    // A progress notice between snapshot pieces does not make the snapshot complete.
    stream.receive(watchResponse({ progress: true, revision: 40 }));
    expect(stream.revision).toBe(10);
    stream.receive(watchResponse({ caught_up: true, revision: 40 }));
    expect(stream.revision).toBe(40);
  });

  it('starts a cut-short snapshot over after an interruption', () => {
    const { stream, updates } = watch(10);
    stream.receive(watchResponse({ snapshot: true, events: [putEvent(3)], revision: 40 }));
    const error = new Error('stream broke');
    stream.interrupted(error);
    expect(updates.at(-1)).toEqual({ kind: 'reconnecting', revision: 10, error });
    // Progress after the interruption counts again: no snapshot is pending any more.
    stream.receive(watchResponse({ progress: true, revision: 42 }));
    expect(stream.revision).toBe(42);
  });

  it('start adds it to its carrier; stop removes it once and silences it', () => {
    const { stream, carrier, updates } = watch();
    stream.start();
    expect(carrier.added).toEqual([stream]);
    stream.stop();
    stream.stop();
    expect(carrier.removed).toEqual([stream]);
    stream.receive(watchResponse({ events: [putEvent(11)], revision: 11 }));
    stream.interrupted(new Error('late'));
    expect(updates).toEqual([]);
    stream.start();
    expect(carrier.added).toHaveLength(1);
  });

  it('a failure is its last update', () => {
    const { stream, updates } = watch(10);
    const error = refusalError(watchResponse({ canceled: true,
      error_status: grpc.status.INVALID_ARGUMENT, error_message: 'bad service' }));
    stream.failed(error);
    stream.receive(watchResponse({ events: [putEvent(11)], revision: 11 }));
    expect(updates).toEqual([{ kind: 'failed', revision: 10, error }]);
  });
});

describe('refusalError', () => {
  it('carries the status, the message and the Roster code as a unary call would', () => {
    const error = refusalError(watchResponse({
      canceled: true, error_status: grpc.status.RESOURCE_EXHAUSTED,
      error_code: 'ROSTER_ERR_RESOURCE_EXHAUSTED', error_message: 'too many watchers',
    }));
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toBe('too many watchers');
    expect(error.message).toContain('RESOURCE_EXHAUSTED');
    expect(error.metadata.get(ERROR_CODE_KEY)).toEqual(['ROSTER_ERR_RESOURCE_EXHAUSTED']);
  });

  it('sets no code when the server gave none', () => {
    const error = refusalError(watchResponse({
      canceled: true, error_status: grpc.status.ABORTED,
    }));
    expect(error.metadata.get(ERROR_CODE_KEY)).toEqual([]);
  });
});

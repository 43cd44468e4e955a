import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  WatchResponse__Output,
} from '../../src/api/generated/types/roster/v1/WatchResponse.js';
import { ERROR_CODE_KEY } from '../../src/core/errors.js';
import { FakeFacade, instanceSpec } from './fake-facade.js';
import { Inbox, callOptions, serve, type Served } from './harness.js';

let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function openMany(fake = new FakeFacade()): Promise<{
  fake: FakeFacade; stream: grpc.ClientDuplexStream<object, WatchResponse__Output>;
  inbox: Inbox<WatchResponse__Output>;
}> {
  served = await serve(fake);
  const stream = served.client.WatchMany(new grpc.Metadata(), callOptions());
  return { fake, stream, inbox: new Inbox(stream) };
}

function events(response: WatchResponse__Output): string[] {
  return response.events.map((event) =>
    `${event.type} ${event.reason} ${event.instance?.service}/${event.instance?.id} ` +
    `@${event.revision}`);
}

/** A response in brief: who it is for, what kind, and its events. */
function brief(response: WatchResponse__Output): object {
  return {
    watch: response.watch_ids.length > 0 ? response.watch_ids : response.watch_id,
    ...(response.progress ? { progress: response.revision } : {}),
    ...(response.canceled ? { canceled: true } : {}),
    ...(response.error_code === '' ? {} : { error: [response.error_status, response.error_code] }),
    events: events(response),
  };
}

const register = (fake: FakeFacade, service: string, id: string) =>
  fake.apply({ op: 'register', instance: instanceSpec(service, id) });

describe('WatchMany', () => {
  it('serves several watches by their ids, cancels one, and ends cleanly', async () => {
    const { fake, stream, inbox } = await openMany();
    stream.write({ watch_id: 1, create: { service: 'a' } });
    stream.write({ watch_id: 2, create: { service: 'b' } });
    expect(brief(await inbox.next())).toEqual({ watch: 1, progress: 1, events: [] });
    expect(brief(await inbox.next())).toEqual({ watch: 2, progress: 1, events: [] });

    register(fake, 'a', 'a1');
    expect(brief(await inbox.next())).toEqual({ watch: 1, events: ['PUT REGISTERED a/a1 @2'] });
    register(fake, 'b', 'b1');
    expect(brief(await inbox.next())).toEqual({ watch: 2, events: ['PUT REGISTERED b/b1 @3'] });

    stream.write({ watch_id: 1, cancel: true });
    expect(brief(await inbox.next())).toEqual({ watch: 1, canceled: true, events: [] });
    expect(fake.hub.stats().watchers).toBe(1);
    // Had watch 1 outlived its cancel, a/a2 would come before b/b2 on the stream.
    register(fake, 'a', 'a2');
    register(fake, 'b', 'b2');
    expect(brief(await inbox.next())).toEqual({ watch: 2, events: ['PUT REGISTERED b/b2 @5'] });

    stream.end();
    expect((await inbox.finished).code).toBe(grpc.status.OK);
    expect(inbox.messages).toHaveLength(6);
    await vi.waitFor(() => expect(fake.hub.stats().watchers).toBe(0));
    await vi.waitFor(() => expect(served?.openStreams()).toBe(0));
  });

  it('refuses a bad watch with its own error and keeps the others', async () => {
    const { fake, stream, inbox } = await openMany();
    stream.write({ watch_id: 1, create: { service: 'a' } });
    expect(brief(await inbox.next())).toEqual({ watch: 1, progress: 1, events: [] });
    stream.write({ watch_id: 2, create: { service: 'Not_A_Name' } });
    const refused = await inbox.next();
    expect(brief(refused)).toEqual({
      watch: 2, canceled: true, events: [],
      error: [grpc.status.INVALID_ARGUMENT, 'ROSTER_ERR_INVALID_ARGUMENT'],
    });
    expect(refused.error_message).toContain('service');
    stream.write({ watch_id: 1, create: { service: 'b' } });
    expect(brief(await inbox.next())).toMatchObject({ watch: 1, canceled: true });
    stream.write({ watch_id: 3 });
    expect(brief(await inbox.next())).toMatchObject({ watch: 3, canceled: true });

    register(fake, 'a', 'a1');
    expect(brief(await inbox.next())).toEqual({ watch: 1, events: ['PUT REGISTERED a/a1 @2'] });
    expect(fake.hub.stats().watchers).toBe(1);
    stream.end();
    expect((await inbox.finished).code).toBe(grpc.status.OK);
  });

  it('passes on the node\'s refusal of a watch, per watch', async () => {
    const { stream, inbox } = await openMany(new FakeFacade({ watchersMax: 1 }));
    stream.write({ watch_id: 1, create: { service: 'a' } });
    stream.write({ watch_id: 2, create: { service: 'b' } });
    expect(brief(await inbox.next())).toEqual({ watch: 1, progress: 1, events: [] });
    expect(brief(await inbox.next())).toEqual({
      watch: 2, canceled: true, events: [],
      error: [grpc.status.RESOURCE_EXHAUSTED, 'ROSTER_ERR_RESOURCE_EXHAUSTED'],
    });
    stream.end();
    expect((await inbox.finished).code).toBe(grpc.status.OK);
  });

  it('sends one response for watches of one filter that receive the same change', async () => {
    const { fake, stream, inbox } = await openMany();
    stream.write({ watch_id: 1, create: { service: 'a' } });
    stream.write({ watch_id: 2, create: { service: 'a' } });
    await inbox.next();
    await inbox.next();
    register(fake, 'a', 'a1');
    expect(brief(await inbox.next()))
      .toEqual({ watch: [1, 2], events: ['PUT REGISTERED a/a1 @2'] });
    stream.end();
    await inbox.finished;
    expect(inbox.messages).toHaveLength(3);
  });

  it('forgets the watches of a stream its client cancels', async () => {
    const { fake, stream, inbox } = await openMany();
    stream.write({ watch_id: 1, create: { service: 'a' } });
    stream.write({ watch_id: 2, create: { all_namespaces: true } });
    await inbox.next();
    await inbox.next();
    expect(fake.hub.stats().watchers).toBe(2);
    stream.cancel();
    await vi.waitFor(() => expect(fake.hub.stats().watchers).toBe(0));
  });
});

describe('Watch', () => {
  it('replays from a past revision, then follows live changes', async () => {
    const fake = new FakeFacade();
    register(fake, 'a', 'a1');
    register(fake, 'b', 'b1');
    register(fake, 'a', 'a2');
    served = await serve(fake);
    const stream = served.client.Watch({ service: 'a', start_revision: 1 }, callOptions());
    const inbox = new Inbox<WatchResponse__Output>(stream);
    const replayed: string[] = [];
    // The replay may come in one response or several.
    while (replayed.length < 2) replayed.push(...events(await inbox.next()));
    expect(replayed).toEqual(['PUT REGISTERED a/a1 @2', 'PUT REGISTERED a/a2 @4']);
    fake.apply({ op: 'deregister', key: { namespace: 'default', service: 'a', id: 'a1' } });
    expect(brief(await inbox.next()))
      .toEqual({ watch: 0, events: ['DELETE DEREGISTERED a/a1 @5'] });
    stream.cancel();
    await vi.waitFor(() => expect(fake.hub.stats().watchers).toBe(0));
  });

  it('fails the stream on an invalid filter without watching', async () => {
    const fake = new FakeFacade();
    served = await serve(fake);
    const stream = served.client.Watch({ namespace: 'x', all_namespaces: true }, callOptions());
    const status = await new Inbox<WatchResponse__Output>(stream).finished;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.metadata.get(ERROR_CODE_KEY)).toEqual(['ROSTER_ERR_INVALID_ARGUMENT']);
    expect(fake.hub.stats().watchers).toBe(0);
    await vi.waitFor(() => expect(served?.openStreams()).toBe(0));
  });
});

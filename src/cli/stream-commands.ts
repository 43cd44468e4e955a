import type { RosterClient, WatchUpdate } from '../client/index.js';
import type { RegisterRequest } from '../api/generated/types/roster/v1/RegisterRequest.js';
import type { WatchEvent__Output } from '../api/generated/types/roster/v1/WatchEvent.js';
import { clientFor, integerFlag, parseCommand } from './command-args.js';
import { UsageError } from './usage-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `roster watch [S] [--from-revision R] [--namespace N] [--all-namespaces]`: one line per
 * event (with --output json, one JSON object per line) until Ctrl-C. If its node dies, the
 * watch resumes on another endpoint from the last revision it printed.
 */
export async function watchCommand(args: readonly string[], env: Env): Promise<void> {
  const { values, positionals, global } = parseCommand(args, {
    namespace: { type: 'string' }, 'from-revision': { type: 'string' },
    'all-namespaces': { type: 'boolean' },
  }, env);
  if (positionals.length > 1) {
    throw new UsageError('usage: roster watch [SERVICE] [--from-revision R]');
  }
  const from = integerFlag(values, 'from-revision') ?? 0;
  if (from < 0) throw new UsageError('--from-revision must be >= 0');
  const client = clientFor(global);
  const json = global.output === 'json';
  let refused: (error: Error) => void = () => {};
  const stream = client.watch({
    namespace: values.namespace as string | undefined,
    service: positionals[0],
    all_namespaces: values['all-namespaces'] === true,
  }, from, (update) => {
    if (update.kind === 'failed') refused(update.error);
    else printUpdate(update, json);
  });
  await new Promise<void>((resolve, reject) => {
    const stop = (): void => {
      stream.stop();
      client.close();
      resolve();
    };
    // Refused by the server (e.g. a bad service name): exit 1 with its message.
    refused = (error) => {
      client.close();
      reject(error);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function printUpdate(update: Exclude<WatchUpdate, { kind: 'failed' }>, json: boolean): void {
  if (json) {
    const hidePrivate = (key: string, value: unknown) => (key.startsWith('_') ? undefined : value);
    console.log(JSON.stringify(update, hidePrivate));
    return;
  }
  switch (update.kind) {
    case 'events':
    case 'snapshot':
      for (const event of update.events) {
        console.log(formatEvent(event, update.kind === 'snapshot'));
      }
      return;
    case 'caughtUp':
      console.log(`-- caught up at revision ${update.revision}`);
      return;
    case 'progress':
      return;
    case 'reconnecting':
      console.error(`-- stream lost (${update.error.message}); ` +
        `resuming after revision ${update.revision}`);
      return;
  }
}

function formatEvent(event: WatchEvent__Output, snapshot: boolean): string {
  const instance = event.instance;
  const where = instance === null ? '' :
    `${instance.namespace}/${instance.service}/${instance.id} ${instance.address}:${instance.port}`;
  const kind = snapshot ? 'STATE' : event.type;
  return `${event.revision} ${kind} ${event.reason.toLowerCase()} ${where}`;
}

/** How long a stopping `register --keepalive` waits for its deregistration to be confirmed. */
const DEREGISTER_WAIT_MS = 3_000;

/**
 * `roster register ... --ttl-ms T --keepalive`: stays in the foreground heartbeating every
 * TTL/3, registers again (after a jittered wait) if the lease is lost, and deregisters on
 * SIGINT/SIGTERM, waiting a bounded time for the cluster to confirm it.
 */
export async function keepRegistered(
  client: RosterClient,
  request: RegisterRequest,
  ttlMs: number,
): Promise<void> {
  const registration = client.register(request.instance ?? {},
    { ttlMs, closeTimeoutMs: DEREGISTER_WAIT_MS });
  registration.on('retrying', (error, delayMs) =>
    console.error(`registering failed (${error.message}); trying again in ${delayMs} ms`));
  const registered = await registration.ready();
  const instance = request.instance ?? {};
  console.log(`registered ${instance.service}/${registered.instanceId} ` +
    `with lease ${registered.leaseId} (TTL ${ttlMs} ms); heartbeating, Ctrl-C deregisters`);
  registration.on('lost', (reason) => console.error(reason === 'expired'
    ? 'lease lost: registering again'
    : 'lease not renewed before its deadline: the cluster may have expired it'));
  registration.on('restored', (event) =>
    console.error(`registered again with lease ${event.leaseId}`));
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      const leaseId = registration.leaseId;
      registration.close().then(() => {
        console.log(`deregistered (lease ${leaseId})`);
      }, (error: unknown) => console.error(`deregister failed: ${String(error)}`)).finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

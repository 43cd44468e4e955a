import type { RosterClient, WatchUpdate } from '../client/index.js';
import type { RegisterRequest } from '../api/generated/types/roster/v1/RegisterRequest.js';
import type { WatchEvent__Output } from '../api/generated/types/roster/v1/WatchEvent.js';
import type { WatchRequest } from '../api/generated/types/roster/v1/WatchRequest.js';
import { statusText } from './client-errors.js';
import { parseClientCommand, withClient, type GlobalOptions } from './command-args.js';
import { WATCH } from './command-specs.js';
import { usageLine } from './help.js';
import { UsageError } from './usage-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `roster watch [S] [--from-revision R] [--namespace N] [--all-namespaces]`: one line per
 * event (with --output json, one JSON object per line) until Ctrl-C. If its node dies, the
 * watch resumes on another endpoint from the last revision it printed.
 */
export async function watchCommand(args: readonly string[], env: Env): Promise<void> {
  const { flags, positionals, global } = parseClientCommand(args, WATCH, env);
  if (positionals.length > 1) throw new UsageError(`usage: ${usageLine(WATCH)}`);
  const request = {
    namespace: flags.string('namespace'), service: positionals[0],
    all_namespaces: flags.boolean('all-namespaces'),
  };
  await withClient(global, (client) =>
    followChanges(client, request, flags.integer('from-revision'), global));
}

/**
 * Prints the watch's updates until SIGINT/SIGTERM. Until a node has answered, failures are
 * kept quiet and, after --timeout-ms, end the command (endpoints that were never reachable
 * are a mistake to report, not to retry forever); once one has, the watch rides out failures.
 */
function followChanges(
  client: RosterClient,
  request: Omit<WatchRequest, 'start_revision'>,
  fromRevision: number,
  global: GlobalOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let heard = false;
    let lastFailure: Error | undefined;
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stream.stop();
      if (error === undefined) resolve();
      else reject(error);
    };
    const stop = (): void => finish();
    const timer = setTimeout(() => {
      if (heard) return;
      reachable(client, global.endpoints).then((answered) => {
        heard ||= answered;
        if (!heard) finish(lastFailure ?? new Error('no endpoint answered'));
      }, finish);
    }, global.timeoutMs);
    // Its updates arrive from the event loop, never before `stream` is set.
    const stream = client.watch(request, fromRevision, (update) => {
      // Refused by the server (e.g. a bad service name): exit 1 with its message.
      if (update.kind === 'failed') return finish(update.error);
      if (update.kind === 'reconnecting' && !heard) {
        lastFailure = update.error;
        return;
      }
      heard = true;
      printUpdate(update, global.output === 'json');
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/**
 * Whether any endpoint answers a status call: a watch can be quiet for a while on a node that
 * is up (nothing is sent before an event when starting after the current revision).
 */
async function reachable(client: RosterClient, endpoints: readonly string[]): Promise<boolean> {
  const answers = await Promise.all(endpoints.map((endpoint) =>
    client.status(endpoint).then(() => true, () => false)));
  return answers.includes(true);
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
      console.error(`-- stream lost (${statusText(update.error)}); ` +
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

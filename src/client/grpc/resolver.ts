import * as grpc from '@grpc/grpc-js';
import type { DiscoverFilters, DiscoveredInstance } from '../discovered.js';
import type { ServiceView } from '../service-view.js';
import { toEndpoints, type EndpointList } from './endpoints.js';
import {
  statusOrFromError, statusOrFromValue, type GrpcUri, type Resolver, type ResolverListener,
  type StatusOr,
} from './experimental.js';
import { rosterServiceConfig } from './lb-config.js';
import { parseTarget, type RosterTarget } from './target.js';

/** What the resolver needs of a RosterClient. */
export interface DiscoverySource {
  discover(service: string, filters?: DiscoverFilters): ServiceView;
}

/**
 * Resolves `roster:///<service>?…` from one live view of the service, opened on the channel's
 * first resolution and closed with the resolver. The view pushes every change, so the
 * resolver never polls: each 'change' becomes one endpoint update, at once.
 *
 * - Draining and critical instances are left out of the endpoints (see endpoints.ts): the
 *   policy stops picking a missing endpoint with that update, and calls under way finish.
 * - While the view is stale it keeps serving its last set, and so does the channel: no
 *   update is made, so nothing is dropped.
 * - An empty set is an empty endpoint list with the note "no instances of <service>": the
 *   policy goes TRANSIENT_FAILURE and calls fail fast with UNAVAILABLE and that note (calls
 *   with waitForReady wait for an instance instead), as grpc-js's round_robin does.
 * - A view error keeps the channel on its last endpoints (grpc-js's rule for resolver
 *   errors); with none, calls fail with UNAVAILABLE and the error's message.
 */
export class RosterResolver implements Resolver {
  private readonly target: RosterTarget;
  private readonly serviceConfig: StatusOr<grpc.ServiceConfig> | null;
  private view: ServiceView | undefined;
  /** The set last reported, so a 'change' repeating the ready() set is not sent twice. */
  private reported: readonly DiscoveredInstance[] | undefined;
  /** The channel refused the last update; a re-resolution request sends it again. */
  private refused = false;
  /** grpc-js forbids calling the listener synchronously from updateResolution. */
  private resolving = false;
  /** Bumped by each open and destroy, so callbacks of an earlier view fall silent. */
  private epoch = 0;

  constructor(uri: GrpcUri, private readonly listener: ResolverListener,
    options: grpc.ChannelOptions, private readonly source: DiscoverySource) {
    this.target = parseTarget(uri);
    // A service config the caller set on the channel is theirs to keep: a resolver's config
    // would replace it. It should name roster_weighted to keep this policy.
    this.serviceConfig = options['grpc.service_config'] === undefined
      ? statusOrFromValue(rosterServiceConfig(this.target.localZone)) : null;
  }

  /** The service name: what TLS checks the server certificate against, unless overridden. */
  static getDefaultAuthority(uri: GrpcUri): string {
    return parseTarget(uri).service;
  }

  updateResolution(): void {
    this.resolving = true;
    try {
      if (this.view === undefined) {
        this.open();
      } else if (this.refused) {
        const { epoch, view } = this;
        setImmediate(() => this.sendSet(epoch, view.instances()));
      }
    } finally {
      this.resolving = false;
    }
  }

  destroy(): void {
    const view = this.view;
    this.epoch += 1;
    this.view = undefined;
    this.reported = undefined;
    this.refused = false;
    if (view === undefined) return;
    view.off('change', this.onChange);
    view.off('error', this.onError);
    view.close();
  }

  private open(): void {
    const { service, filters } = this.target;
    this.epoch += 1;
    const epoch = this.epoch;
    let view: ServiceView;
    try {
      view = this.source.discover(service, filters);
    } catch (error) {
      // No view: the next updateResolution (the channel's next call) tries again.
      setImmediate(() => this.sendError(epoch, error));
      return;
    }
    this.view = view;
    view.on('change', this.onChange);
    view.on('error', this.onError);
    view.ready().then(() => this.sendSet(epoch, view.instances()),
      (error: unknown) => this.sendError(epoch, error));
  }

  private readonly onChange = (instances: readonly DiscoveredInstance[]): void => {
    const epoch = this.epoch;
    if (this.resolving) setImmediate(() => this.sendSet(epoch, instances));
    else this.sendSet(epoch, instances);
  };

  private readonly onError = (error: Error): void => {
    const epoch = this.epoch;
    if (this.resolving) setImmediate(() => this.sendError(epoch, error));
    else this.sendError(epoch, error);
  };

  private sendSet(epoch: number, instances: readonly DiscoveredInstance[]): void {
    if (epoch !== this.epoch || (instances === this.reported && !this.refused)) return;
    const list = toEndpoints(instances, this.target.portName);
    const note = list.endpoints.length === 0 ? this.emptyNote(instances.length, list) : '';
    this.reported = instances;
    this.refused = !this.listener(statusOrFromValue(list.endpoints), {}, this.serviceConfig,
      note);
  }

  /** Errors carry the service config too: without one grpc-js would fall back to pick_first. */
  private sendError(epoch: number, error: unknown): void {
    if (epoch !== this.epoch) return;
    const message = error instanceof Error ? error.message : String(error);
    this.listener(statusOrFromError({
      code: grpc.status.UNAVAILABLE,
      details: `discovery of ${this.target.service} failed: ${message}`,
    }), {}, this.serviceConfig, '');
  }

  private emptyNote(listed: number, { unavailable, unaddressable }: EndpointList): string {
    const note = `no instances of ${this.target.service}`;
    if (listed === 0) return note;
    const reasons = [
      ...(unavailable > 0 ? [`${unavailable} draining or critical`] : []),
      ...(unaddressable > 0
        ? [`${unaddressable} without ${this.target.portName ?? 'an address or port'}`] : []),
    ];
    return `${note} to call (${reasons.join(', ')})`;
  }
}

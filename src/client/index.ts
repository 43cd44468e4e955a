/** The TypeScript SDK (import from the package root). */
export {
  RosterClient, type RosterClientOptions, type RosterTlsOptions,
} from './roster-client.js';
export { isServiceError } from './service-error.js';
export { KeepAliveLoop, type KeepAliveLoopOptions } from './keepalive-loop.js';
export {
  Registration, REGISTRATION_DEFAULTS, type RegistrationOptions, type RegistrationState,
  type RegisteredEvent, type RegistrationEvents,
} from './registration.js';
export type { LeaseBeat } from './lease-book.js';
export { WatchStream, type WatchUpdate } from './watch-stream.js';
export { WatchMux, type WatchMuxOptions } from './watch-mux.js';
export { realRuntime, type ClientRuntime, type TimerHandle } from './runtime.js';
export { DiscoveryView, type DiscoverOptions } from './discovery-view.js';
export type { ServiceView, ServiceViewEvents } from './service-view.js';
export {
  PICK_POLICIES, type DiscoverFilters, type DiscoveredInstance, type PickPolicy,
} from './discovered.js';
export {
  ENDPOINT_BREAKER_DEFAULTS, type EndpointBreakerOptions,
} from './endpoint-breakers.js';
export {
  registerResolver, type RegisterResolverOptions, type ResolverRegistration,
} from './grpc/register.js';
export type { DiscoverySource } from './grpc/resolver.js';
export { ROSTER_LB_POLICY } from './grpc/lb-config.js';
export { registerRosterBalancer } from './grpc/weighted-balancer.js';
export {
  Balancer, type BalancerOptions, type CallOutcome, type OutlierEjectionOptions,
} from './balance/balancer.js';

/**
 * Everything this folder takes from `grpc.experimental`, in one place: that API may change in
 * any grpc-js minor (package.json pins the minor), and
 * test/client/grpc/grpc-experimental-contract.test.ts checks each name listed here, so an
 * upgrade that breaks one fails there rather than in a channel.
 */
import * as grpc from '@grpc/grpc-js';

export const {
  registerResolver: registerGrpcResolver,
  registerLoadBalancerType,
  createChildChannelControlHelper,
  LeafLoadBalancer,
  QueuePicker,
  UnavailablePicker,
  PickResultType,
  endpointToString,
  statusOrFromValue,
  statusOrFromError,
} = grpc.experimental;

export type Resolver = grpc.experimental.Resolver;
/** grpc-js exports no name for it; its registerResolver's parameter is the type. */
export type ResolverConstructor = Parameters<typeof grpc.experimental.registerResolver>[1];
export type ResolverListener = grpc.experimental.ResolverListener;
export type GrpcUri = grpc.experimental.GrpcUri;
export type Endpoint = grpc.experimental.Endpoint;
export type StatusOr<T> = grpc.experimental.StatusOr<T>;
export type LoadBalancer = grpc.experimental.LoadBalancer;
export type ChannelControlHelper = grpc.experimental.ChannelControlHelper;
export type TypedLoadBalancingConfig = grpc.experimental.TypedLoadBalancingConfig;
export type LeafLoadBalancer = grpc.experimental.LeafLoadBalancer;
export type Picker = grpc.experimental.Picker;
export type PickArgs = grpc.experimental.PickArgs;
export type PickResult = grpc.experimental.PickResult;

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { decodeLookupResponse } from './lookup-decoder.js';
import type { ProtoGrpcType as ClusterProto } from '../api/generated/types/cluster.js';
import type { ProtoGrpcType as RegistryProto } from '../api/generated/types/registry.js';

/**
 * Loads the client API's protos at runtime for both the server (api/) and the SDK (client/),
 * typed by the generated types in api/generated/. Library options are spelled out: 64-bit ids and
 * revisions as JS numbers (they stay below 2^53), enums as their names, defaults filled in.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The package root (where package.json is), from src/ under vitest or dist/ when built. */
export function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    if (existsSync(join(directory, 'package.json'))) return directory;
    directory = dirname(directory);
  }
  throw new Error('cannot find the package root (package.json) above the wire module');
}

export function protoDirectory(): string {
  return join(packageRoot(), 'proto');
}

export interface ApiProtos {
  readonly registry: RegistryProto;
  readonly cluster: ClusterProto;
}

let cached: ApiProtos | undefined;

export function loadApiProtos(): ApiProtos {
  if (cached !== undefined) return cached;
  const includeDirs = [protoDirectory()];
  const load = (file: string): protoLoader.PackageDefinition =>
    protoLoader.loadSync(file, { ...PROTO_LOADER_OPTIONS, includeDirs });
  const registry = load('roster/v1/registry.proto');
  decodeLookupAnswersInOnePass(registry);
  cached = {
    registry: grpc.loadPackageDefinition(registry) as unknown as RegistryProto,
    cluster: grpc.loadPackageDefinition(load('roster/v1/cluster.proto')) as unknown as ClusterProto,
  };
  return cached;
}

/** Clients made from the definition decode Lookup answers with decodeLookupResponse. */
function decodeLookupAnswersInOnePass(registry: protoLoader.PackageDefinition): void {
  const service = registry['roster.v1.Registry'] as protoLoader.ServiceDefinition;
  const lookup = service['Lookup'] as protoLoader.MethodDefinition<object, object>;
  service['Lookup'] = { ...lookup, responseDeserialize: decodeLookupResponse };
}

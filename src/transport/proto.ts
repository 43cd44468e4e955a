/**
 * The peer protocol (proto/roster/v1/raft.proto), loaded at run time with proto-loader, and the
 * TypeScript shapes of its messages as proto-loader presents them (keepCase, longs as Number,
 * bytes as Buffer on receipt; Uint8Array is accepted when sending).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

import { assert } from '../core/assert.js';

export const RAFT_SERVICE_NAME = 'roster.v1.RaftTransport';

export interface RaftBatch {
  readonly from: number;
  readonly messages: Uint8Array;
  readonly cluster_id: number;
  readonly from_name: string;
  readonly from_address: string;
}

export interface SendSummary {
  readonly batches: number;
}

export interface SnapshotChunk {
  readonly header: Uint8Array;
  readonly data: Uint8Array;
  readonly total_bytes: number;
  readonly cluster_id: number;
}

export interface FounderId {
  readonly name: string;
  readonly id: number;
}

export interface PeerMember {
  readonly id: number;
  readonly name: string;
  readonly peer_address: string;
  readonly client_address: string;
}

export interface HelloRequest {
  readonly name: string;
  readonly id: number;
  readonly founders: readonly string[];
  readonly recorded: readonly FounderId[];
  readonly spec: string;
}

export type HelloState = 'founding' | 'founded' | 'joining';

export interface HelloResponse {
  readonly name: string;
  readonly id: number;
  readonly state: HelloState;
  readonly founders: readonly string[];
  readonly recorded: readonly FounderId[];
  readonly cluster_id: number;
  readonly members: readonly PeerMember[];
  readonly spec: string;
}

export interface SnapshotAck {
  readonly accepted: boolean;
}

export interface RaftService {
  readonly definition: ServiceDefinition;
  readonly send: MethodDefinition<RaftBatch, SendSummary>;
  readonly sendSnapshot: MethodDefinition<SnapshotChunk, SnapshotAck>;
  readonly hello: MethodDefinition<HelloRequest, HelloResponse>;
}

let loaded: RaftService | undefined;

/** The RaftTransport service, loaded once per process. */
export function raftService(): RaftService {
  loaded ??= loadRaftService();
  return loaded;
}

function loadRaftService(): RaftService {
  const protoPath = join(packageRoot(), 'proto', 'roster', 'v1', 'raft.proto');
  const packageDefinition = loadSync(protoPath, {
    keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
  });
  const definition = packageDefinition[RAFT_SERVICE_NAME] as ServiceDefinition | undefined;
  assert(definition !== undefined, `${protoPath} defines no service ${RAFT_SERVICE_NAME}`);
  const send = definition['Send'] as MethodDefinition<RaftBatch, SendSummary> | undefined;
  const sendSnapshot = definition['SendSnapshot'] as
    MethodDefinition<SnapshotChunk, SnapshotAck> | undefined;
  const hello = definition['Hello'] as MethodDefinition<HelloRequest, HelloResponse> | undefined;
  assert(send !== undefined && sendSnapshot !== undefined && hello !== undefined,
    `${RAFT_SERVICE_NAME} in ${protoPath} lacks Send, SendSnapshot or Hello`);
  return { definition, send, sendSnapshot, hello };
}

/**
 * The directory holding package.json above this file: the same from src/ (vitest) and dist/
 * (after tsc), so the proto is found either way.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    assert(parent !== dir, `no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

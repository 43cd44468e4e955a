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
}

export interface SendSummary {
  readonly batches: number;
}

export interface SnapshotChunk {
  readonly header: Uint8Array;
  readonly data: Uint8Array;
  readonly total_bytes: number;
}

export interface SnapshotAck {
  readonly accepted: boolean;
}

export interface RaftService {
  readonly definition: ServiceDefinition;
  readonly send: MethodDefinition<RaftBatch, SendSummary>;
  readonly sendSnapshot: MethodDefinition<SnapshotChunk, SnapshotAck>;
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
  assert(send !== undefined && sendSnapshot !== undefined,
    `${RAFT_SERVICE_NAME} in ${protoPath} lacks Send or SendSnapshot`);
  return { definition, send, sendSnapshot };
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

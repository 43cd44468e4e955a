export type { MessageHandler, PeerAddress, Transport } from './transport.js';
export {
  CODEC_VERSION, CodecError, decodeMessages, decodeSnapshotHeader, encodeMessages,
  encodeSnapshotHeader, encodedMessageBytes,
} from './codec.js';
export {
  GrpcTransport,
  TRANSPORT_BATCH_BYTES_MAX, TRANSPORT_GRPC_MESSAGE_BYTES_MAX, TRANSPORT_PEERS_MAX,
  TRANSPORT_QUEUE_BYTES_MAX, TRANSPORT_QUEUE_MESSAGES_MAX, TRANSPORT_SNAPSHOT_BYTES_MAX,
  TRANSPORT_SNAPSHOT_CHUNK_BYTES, TRANSPORT_SNAPSHOT_TIMEOUT_MS,
  TRANSPORT_SNAPSHOTS_RECEIVING_MAX,
  type GrpcTransportOptions,
} from './grpc-transport.js';
export type { TransportLogger, TransportStats } from './peer-context.js';
export type {
  FounderId as HelloFounderId, HelloRequest, HelloResponse, HelloState, PeerMember,
} from './proto.js';
export {
  MEMORY_NETWORK_NODES_MAX, MemoryNetwork,
  type MemoryTransport, type MemoryTransportHandlers,
} from './memory-transport.js';
export { RAFT_NUMBER_MAX, messageProblem } from './message-validation.js';
export { PEER_TLS_REFRESH_MS, type PeerTlsFiles } from './credentials.js';

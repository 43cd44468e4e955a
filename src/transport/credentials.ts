/**
 * Credentials of the peer transport, in one place so TLS (mutual, between Roster nodes) can
 * replace them without touching the transport.
 */
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';

export interface PeerCredentials {
  readonly server: ServerCredentials;
  readonly channel: ChannelCredentials;
}

/** Insecure for now: peers talk over a private network (the cluster's headless service). */
export function createPeerCredentials(): PeerCredentials {
  return {
    server: ServerCredentials.createInsecure(),
    channel: ChannelCredentials.createInsecure(),
  };
}

export type { MessageHandler, PeerAddress, Transport } from './transport.js';

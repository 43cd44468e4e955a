// Loads greeter.proto for the example server and client.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const definition = protoLoader.loadSync(
  fileURLToPath(new URL('./greeter.proto', import.meta.url)), { keepCase: true });

/** The Greeter service: a client constructor, and `.service` for a server. */
export const Greeter = grpc.loadPackageDefinition(definition).greeter.Greeter;

/** Roster endpoints: ROSTER_ENDPOINTS, or the ones `npm start` opens. */
export const endpoints = (process.env.ROSTER_ENDPOINTS
  ?? '127.0.0.1:7400,127.0.0.1:7410,127.0.0.1:7420').split(',');

/**
 * The client API on the wire, shared by the server (api/), the SDK (client/) and the bench:
 * the protos loaded at runtime and a pool of client stubs. Generated types stay in
 * api/generated/.
 */
export {
  PROTO_LOADER_OPTIONS, loadApiProtos, packageRoot, protoDirectory, type ApiProtos,
} from './protos.js';
export { StubPool, settleUnary, type Stubs } from './stub-pool.js';

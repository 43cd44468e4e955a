export { ApiServer, clientServerOptions, type ApiServerOptions } from './server.js';
export type { TlsSource } from './listener.js';
export { LEADER_HINT_KEY, ERROR_CODE_KEY } from './errors.js';
export { FORWARDED_KEY } from './forward.js';
export {
  loadApiProtos, packageRoot, protoDirectory, PROTO_LOADER_OPTIONS,
} from '../wire/index.js';
export type { ApiLogger } from './unary.js';
export { watchEventEncoder } from './watch-service.js';
export { Metrics } from './metrics.js';

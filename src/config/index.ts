export {
  SERVE_FLAGS, flagOrEnv, parseHostPort, parseInitialCluster, parsePeerRoutes, parseServeConfig,
  type MemberSpec, type ServeConfig, type ServeFlag, type TlsFiles,
} from './serve-config.js';
export { CLIENT_PLANE_SWITCHES, type ClientTlsConfig } from './client-plane.js';

export {
  SERVE_FLAGS, flagOrEnv, parseHostPort, parseInitialCluster, parsePeerRoutes, parseServeConfig,
  type MemberSpec, type ServeConfig, type ServeFlag,
} from './serve-config.js';

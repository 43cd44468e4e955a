/**
 * The module rule (docs/ARCHITECTURE.md), enforced: a forbidden import fails `npm test`.
 * Each module lists what it may import; everything else under src/ is forbidden.
 */
const mayImport = {
  core: [],
  raft: ['core'],
  storage: ['core', 'raft'],
  transport: ['core', 'raft'],
  registry: ['core'],
  lease: ['core', 'registry'],
  health: ['core', 'registry'],
  watch: ['core', 'registry'],
  replica: ['core', 'raft', 'storage', 'transport', 'registry', 'lease', 'health', 'watch'],
  // The API sees a node only through its facade (replica/api-surface.ts), never round it.
  api: ['core', 'config', 'wire', 'replica/api-surface.ts'],
  // The client API on the wire (protos, stub pool), shared by the server, the SDK and the bench.
  wire: ['core', 'api/generated'],
  client: ['core', 'api/generated', 'wire'],
  config: ['core'],
  cli: ['core', 'raft', 'storage', 'transport', 'registry', 'lease', 'health', 'watch', 'replica',
    'api', 'client', 'config', 'wire'],
  sim: ['core', 'raft', 'storage', 'transport', 'registry', 'lease', 'health', 'watch', 'replica',
    'api', 'client', 'config', 'wire'],
  // The benchmark: drives real server processes through their client APIs only.
  bench: ['core', 'client', 'api/generated', 'wire'],
};

// Modules whose logic must be deterministic: no Node built-ins (fs, net, timers, crypto...).
const pure = ['core', 'raft', 'registry', 'lease', 'health', 'watch'];

/** A module (a folder: anything in it) or a single file. */
const allowedPath = (dep) =>
  (dep.endsWith('.ts') ? `^src/${dep.replace('.', '\\.')}$` : `^src/${dep}/`);

const moduleRules = Object.entries(mayImport).map(([module, allowed]) => ({
  name: `module-rule-${module}`,
  comment: `src/${module} may import only: ${allowed.join(', ') || 'nothing'} ` +
    '(docs/ARCHITECTURE.md)',
  severity: 'error',
  from: { path: `^src/${module}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${module}/`, ...allowed.map(allowedPath)],
  },
}));

module.exports = {
  forbidden: [
    ...moduleRules,
    {
      name: 'no-circular',
      comment: 'No runtime cycles. A type-only import back (leader.ts naming the Raft class ' +
        'that calls it) creates no load-order dependency and is allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'nothing-imports-cli-sim-or-bench',
      severity: 'error',
      from: { pathNot: '^src/(cli|sim|bench)/' },
      to: { path: '^src/(cli|sim|bench)/' },
    },
    {
      name: 'pure-modules-no-node-builtins',
      comment: 'raft, registry, lease, health, watch and core take time and I/O from outside',
      severity: 'error',
      from: { path: `^src/(${pure.join('|')})/` },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'The shipped code needs only dependencies; the bench (etcd3) is a dev tool.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/bench/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};

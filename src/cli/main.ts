#!/usr/bin/env node
/**
 * The `roster` command. The server (`roster serve`, `roster dev`) and the client commands
 * arrive with the next milestone (LevelDB storage, gRPC peers, the registry API); until then
 * this says so plainly instead of pretending.
 */
const COMMANDS = ['serve', 'dev', 'register', 'deregister', 'lookup', 'watch', 'services',
  'members', 'member', 'leader', 'status', 'snapshot', 'agent'];

function main(argv: readonly string[]): number {
  const command = argv[0];
  if (command === undefined || command === '--help' || command === 'help') {
    console.log('usage: roster <command> [flags]');
    console.log(`commands: ${COMMANDS.join(', ')}`);
    return command === undefined ? 2 : 0;
  }
  if (!COMMANDS.includes(command)) {
    console.error(`roster: unknown command '${command}' (try: roster --help)`);
    return 2;
  }
  console.error(`roster ${command}: coming with the next milestone ` +
    `(a durable cluster you can run).`);
  console.error('Today: `npm test` runs the suite and `npm run sim` the deterministic simulator.');
  return 1;
}

process.exitCode = main(process.argv.slice(2));

// A Greeter server that registers itself in Roster while it runs.
//
//   node examples/greeter/server.mjs [--port P] [--id ID] [--zone Z] [--weight W]
//
// Stop it with Ctrl-C: it drains (no new calls come), then deregisters and exits.
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { RosterClient } from 'roster';
import { Greeter, endpoints } from './greeter-proto.mjs';

const { values } = parseArgs({ options: {
  port: { type: 'string', default: '0' }, id: { type: 'string' },
  zone: { type: 'string', default: '' }, weight: { type: 'string' },
} });

const server = new grpc.Server();
let id = values.id;
server.addService(Greeter.service, {
  SayHello: (call, callback) =>
    callback(null, { message: `Hello, ${call.request.name}`, from: id }),
});
const port = await new Promise((resolve, reject) => server.bindAsync(
  `127.0.0.1:${values.port}`, grpc.ServerCredentials.createInsecure(),
  (error, bound) => (error ? reject(error) : resolve(bound))));
id ??= `greeter-${port}`;

const roster = new RosterClient({ endpoints });
const registration = roster.register({
  service: 'greeter', id, address: '127.0.0.1', port, zone: values.zone,
  ...(values.weight === undefined ? {} : { weight: Number(values.weight) }),
}, { ttlMs: 3_000 });
registration.on('lost', () => console.error(`${id}: lease lost, registering again`));
await registration.ready();
console.log(`${id} serving on 127.0.0.1:${port}, registered as greeter/${id}`);

async function stop() {
  registration.setStatus('draining');
  // Clients stop sending new calls once the drain reaches them; calls in flight finish.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await registration.close().catch((error) => console.error(`deregister: ${error.message}`));
  roster.close();
  server.tryShutdown(() => process.exit(0));
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

// Calls roster:///greeter twice a second and prints which instance answered.
//
//   node examples/greeter/client.mjs [--zone Z]
//
// Start or stop servers while it runs: calls follow the registry, with no restart.
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { RosterClient, registerResolver } from 'roster';
import { Greeter, endpoints } from './greeter-proto.mjs';

const { values } = parseArgs({ options: { zone: { type: 'string', default: '' } } });

registerResolver(new RosterClient({ endpoints }));
const zone = values.zone === '' ? '' : `?zone=${encodeURIComponent(values.zone)}`;
const greeter = new Greeter(`roster:///greeter${zone}`, grpc.credentials.createInsecure());

setInterval(() => {
  greeter.SayHello({ name: 'roster' }, { deadline: Date.now() + 2_000 }, (error, reply) => {
    console.log(error ? `failed: ${error.details}` : `${reply.message} (from ${reply.from})`);
  });
}, 500);

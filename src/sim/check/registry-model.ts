/**
 * The service registry as a sequential model for the linearizability checker. Services are
 * independent (no operation touches two), so the history is checked one service at a time,
 * which keeps each search small: the state of a partition is one service's instance map.
 */
import type { Model, Operation } from './linearizability.js';

export type RegistryInput =
  | {
      readonly kind: 'register';
      readonly service: string;
      readonly instance: string;
      readonly endpoint: string;
    }
  | { readonly kind: 'deregister'; readonly service: string; readonly instance: string }
  | { readonly kind: 'lookup'; readonly service: string }
  /** Removes these instances (lease expiry). */
  | { readonly kind: 'expire'; readonly service: string; readonly instances: readonly string[] };

export type RegistryOutput =
  /** Outcome unknown (op.return is Infinity): the effect may or may not have happened. */
  | { readonly kind: 'unknown' }
  /** Registered: created the instance or replaced its endpoint. */
  | { readonly kind: 'register' }
  /** found=false: the instance did not exist and nothing changed. */
  | { readonly kind: 'deregister'; readonly found: boolean }
  /** [instance, endpoint] pairs, sorted by instance. */
  | { readonly kind: 'lookup'; readonly instances: readonly (readonly [string, string])[] }
  | { readonly kind: 'expire' };

/**
 * One service's instances as frozen [instance, endpoint] pairs sorted by instance (code-unit
 * order). Never mutated: the checker keeps old states on its backtracking stack.
 */
export type RegistryState = readonly (readonly [string, string])[];

type RegistryOp = Operation<RegistryInput, RegistryOutput>;
type StepResult = { ok: boolean; state: RegistryState };

const EMPTY: RegistryState = Object.freeze([]);

export const registryModel: Model<RegistryState, RegistryInput, RegistryOutput> = {
  partition: partitionByService,
  init: () => EMPTY,
  step: stepRegistry,
  // JSON escapes every separator it uses, so distinct states cannot collide.
  key: (state) => JSON.stringify(state),
  describe: describeRegistryOp,
};

/** Groups ops by service, in order of each service's first appearance. */
function partitionByService(history: readonly RegistryOp[]): RegistryOp[][] {
  const byService = new Map<string, RegistryOp[]>();
  for (const op of history) {
    const ops = byService.get(op.input.service);
    if (ops) ops.push(op);
    else byService.set(op.input.service, [op]);
  }
  return [...byService.values()];
}

function stepRegistry(
  state: RegistryState,
  input: RegistryInput,
  output: RegistryOutput,
): StepResult {
  const reject = { ok: false, state };
  switch (input.kind) {
    case 'register':
      if (output.kind !== 'register' && output.kind !== 'unknown') return reject;
      return { ok: true, state: withInstance(state, input.instance, input.endpoint) };
    case 'deregister':
      return stepDeregister(state, input.instance, output);
    case 'lookup':
      if (output.kind === 'unknown') return { ok: true, state };
      if (output.kind !== 'lookup') return reject;
      return { ok: sameInstances(state, output.instances), state };
    case 'expire':
      if (output.kind !== 'expire' && output.kind !== 'unknown') return reject;
      return { ok: true, state: withoutInstances(state, input.instances) };
  }
}

function stepDeregister(
  state: RegistryState,
  instance: string,
  output: RegistryOutput,
): StepResult {
  const present = state.some(([name]) => name === instance);
  const removed = (): RegistryState => withoutInstances(state, [instance]);
  // An unknown outcome still happens atomically if it happens: removes the instance if there.
  if (output.kind === 'unknown') return { ok: true, state: removed() };
  if (output.kind !== 'deregister') return { ok: false, state };
  if (output.found) return present ? { ok: true, state: removed() } : { ok: false, state };
  return { ok: !present, state };
}

function withInstance(state: RegistryState, instance: string, endpoint: string): RegistryState {
  const next = state.filter(([name]) => name !== instance);
  const at = next.findIndex(([name]) => name > instance);
  next.splice(at === -1 ? next.length : at, 0, Object.freeze([instance, endpoint] as const));
  return Object.freeze(next);
}

function withoutInstances(state: RegistryState, instances: readonly string[]): RegistryState {
  if (!state.some(([name]) => instances.includes(name))) return state;
  return Object.freeze(state.filter(([name]) => !instances.includes(name)));
}

function sameInstances(
  state: RegistryState,
  instances: readonly (readonly [string, string])[],
): boolean {
  if (state.length !== instances.length) return false;
  return state.every(([name, endpoint], i) => {
    const seen = instances[i];
    return seen !== undefined && seen[0] === name && seen[1] === endpoint;
  });
}

/** One line per op, e.g. `register web/a=10.0.0.1:80 -> ok`, for failure reports. */
export function describeRegistryOp(input: RegistryInput, output: RegistryOutput): string {
  return `${describeInput(input)} -> ${describeOutput(output)}`;
}

function describeInput(input: RegistryInput): string {
  switch (input.kind) {
    case 'register':
      return `register ${input.service}/${input.instance}=${input.endpoint}`;
    case 'deregister':
      return `deregister ${input.service}/${input.instance}`;
    case 'lookup':
      return `lookup ${input.service}`;
    case 'expire':
      return `expire ${input.service}/[${input.instances.join(', ')}]`;
  }
}

function describeOutput(output: RegistryOutput): string {
  switch (output.kind) {
    case 'unknown':
      return 'unknown (timed out)';
    case 'register':
    case 'expire':
      return 'ok';
    case 'deregister':
      return output.found ? 'found' : 'not found';
    case 'lookup':
      return `{${output.instances.map(([name, endpoint]) => `${name}=${endpoint}`).join(', ')}}`;
  }
}

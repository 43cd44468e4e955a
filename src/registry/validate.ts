import { RosterError } from '../core/errors.js';
import { limits as defaultLimits, type Limits } from '../core/limits.js';
import { hasControlCharacters, hasInvisibleFormatting, quote } from '../core/text.js';
import { utf8ByteLength } from '../core/utf8.js';
import {
  DEFAULT_NAMESPACE, DEFAULT_WEIGHT, type InstanceKey, type InstanceSpec, type LookupQuery,
} from './model.js';

/**
 * Validation of what clients send, before anything is proposed: a bad request changes
 * nothing and the error names the field and why (README, Validation). Pure and
 * shared by the API and the SDK. Everything is normalized (defaults, sorted tags and keys),
 * so equal registrations compare equal.
 */

/** An instance as it arrives from a client: every field optional and untrusted. */
export interface RawInstance {
  readonly namespace?: string;
  readonly service?: string;
  readonly id?: string;
  readonly address?: string;
  readonly port?: number;
  readonly ports?: Readonly<Record<string, number>>;
  readonly protocol?: string;
  readonly version?: string;
  readonly environment?: string;
  readonly region?: string;
  readonly zone?: string;
  readonly tags?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly weight?: number;
  readonly priority?: number;
  readonly capacity?: number;
}

export type RegistryLimits = Pick<Limits,
  | 'serviceNameCharsMax' | 'instanceIdCharsMax' | 'tagsMax' | 'tagCharsMax' | 'metadataKeysMax'
  | 'metadataBytesMax' | 'ttlMsMin' | 'ttlMsMax' | 'addressCharsMax' | 'namedPortsMax'
  | 'labelCharsMax' | 'weightMax' | 'capacityMax'>;

const DNS_LABEL = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
const INSTANCE_ID = /^[A-Za-z0-9._:-]+$/;
const LABEL = /^[A-Za-z0-9._+-]*$/;
const PROTOCOL = /^[a-z0-9+.-]*$/;
const METADATA_KEY = /^[A-Za-z0-9._/-]+$/;
const PORT_NAME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;
const PORT_NAME_CHARS_MAX = 15;
const METADATA_KEY_CHARS_MAX = 128;
const HOSTNAME_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const PRIORITY_ABS_MAX = 1_000_000;

function invalid(field: string, why: string): RosterError {
  return new RosterError('ROSTER_ERR_INVALID_ARGUMENT', `${field} ${why}`, { field });
}

/** A DNS label: service and namespace names. */
export function validateName(field: string, value: unknown, maxChars: number): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'is required');
  if (value.length > maxChars) throw invalid(field, `must be at most ${maxChars} characters`);
  if (!DNS_LABEL.test(value)) {
    throw invalid(field, `${quote(value)} must be lowercase letters, digits and hyphens, ` +
      'start with a letter and not end with a hyphen');
  }
  return value;
}

export function validateInstanceId(field: string, value: unknown, maxChars: number): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'is required');
  if (value.length > maxChars) throw invalid(field, `must be at most ${maxChars} characters`);
  if (!INSTANCE_ID.test(value)) {
    throw invalid(field, `${quote(value)} may only contain letters, digits and . _ : -`);
  }
  return value;
}

export function validateNamespace(value: unknown, limits: RegistryLimits = defaultLimits): string {
  if (value === undefined || value === '') return DEFAULT_NAMESPACE;
  return validateName('namespace', value, limits.serviceNameCharsMax);
}

export function validatePort(field: string, value: unknown): number {
  if (value === undefined) throw invalid(field, 'is required');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65_535) {
    throw invalid(field, `must be an integer from 1 to 65535, got ${shown(value)}`);
  }
  return value;
}

export function validateTtlMs(value: unknown, limits: RegistryLimits = defaultLimits): number {
  const ok = typeof value === 'number' && Number.isInteger(value) &&
    value >= limits.ttlMsMin && value <= limits.ttlMsMax;
  if (!ok) {
    throw invalid('ttl_ms', `must be from ${limits.ttlMsMin} to ${limits.ttlMsMax} ms, ` +
      `got ${shown(value)}`);
  }
  return value;
}

/** An IP literal (v4 or v6) or a hostname (RFC 1123). */
export function validateAddress(value: unknown, limits: RegistryLimits = defaultLimits): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid('address', 'is required');
  if (value.length > limits.addressCharsMax) {
    throw invalid('address', `must be at most ${limits.addressCharsMax} characters`);
  }
  if (isIpv4(value) || isIpv6(value) || isHostname(value)) return value;
  throw invalid('address', `${quote(value)} is neither an IP address nor a hostname`);
}

export function isIpv4(text: string): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  return parts.every((part) => /^(0|[1-9][0-9]{0,2})$/.test(part) && Number(part) <= 255);
}

export function isIpv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const all = [...head, ...tail];
  let count = all.length;
  // An embedded IPv4 address (::ffff:10.0.0.1) ends the address and counts as two groups.
  const last = text.endsWith('::') ? undefined : all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIpv4(last)) return false;
    all.pop();
    count += 1;
  }
  if (!all.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

function isHostname(text: string): boolean {
  const trimmed = text.endsWith('.') ? text.slice(0, -1) : text;
  if (trimmed.length === 0 || trimmed.length > 253) return false;
  const labels = trimmed.split('.');
  // An all-numeric top label is a malformed IP address, not a name (RFC 3696 §2).
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((label) =>
    label.length >= 1 && label.length <= 63 && HOSTNAME_LABEL.test(label));
}

function optionalLabel(field: string, value: unknown, pattern: RegExp, maxChars: number): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.length > maxChars) throw invalid(field, `must be at most ${maxChars} characters`);
  if (!pattern.test(value)) {
    throw invalid(field, `${quote(value)} has characters that are not allowed`);
  }
  return value;
}

function optionalInteger(
  field: string,
  value: unknown,
  options: { min: number; max: number; fallback: number },
): number {
  if (value === undefined) return options.fallback;
  const ok = typeof value === 'number' && Number.isInteger(value) &&
    value >= options.min && value <= options.max;
  if (!ok) {
    throw invalid(field,
      `must be an integer from ${options.min} to ${options.max}, got ${shown(value)}`);
  }
  return value;
}

function validateTags(value: unknown, limits: RegistryLimits): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('tags', 'must be a list of strings');
  if (value.length > limits.tagsMax) throw invalid('tags', `must be at most ${limits.tagsMax}`);
  const tags = new Set<string>();
  for (const tag of value as unknown[]) {
    if (typeof tag !== 'string' || tag.length === 0) {
      throw invalid('tags', 'must be non-empty strings');
    }
    if (tag.length > limits.tagCharsMax) {
      throw invalid('tags', `${quote(tag, 20)} is longer than ${limits.tagCharsMax} characters`);
    }
    if (hasControlCharacters(tag)) throw invalid('tags', `${quote(tag)} has control characters`);
    if (hasInvisibleFormatting(tag)) {
      throw invalid('tags',
        `${quote(tag)} has bidirectional-text controls or zero-width characters`);
    }
    tags.add(tag);
  }
  return [...tags].sort();
}

function validateMetadata(value: unknown, limits: RegistryLimits): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('metadata', 'must be a map of strings');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > limits.metadataKeysMax) {
    throw invalid('metadata',
      `must have at most ${limits.metadataKeysMax} keys, got ${entries.length}`);
  }
  let bytes = 0;
  const sorted: [string, string][] = [];
  for (const [key, item] of entries.sort((a, b) => compare(a[0], b[0]))) {
    if (!METADATA_KEY.test(key) || key.length > METADATA_KEY_CHARS_MAX) {
      throw invalid('metadata', `key ${quote(key, 40)} must be 1-${METADATA_KEY_CHARS_MAX} ` +
        'characters of letters, digits and . _ / -');
    }
    if (typeof item !== 'string') {
      throw invalid('metadata', `value of ${quote(key)} must be a string`);
    }
    if (hasControlCharacters(item)) {
      throw invalid('metadata', `value of ${quote(key)} has control characters: ${quote(item)}`);
    }
    bytes += utf8ByteLength(key) + utf8ByteLength(item);
    sorted.push([key, item]);
  }
  if (bytes > limits.metadataBytesMax) {
    throw invalid('metadata',
      `must be at most ${limits.metadataBytesMax} bytes in all, got ${bytes}`);
  }
  // fromEntries defines own properties, so even a key named __proto__ is kept.
  return Object.fromEntries(sorted);
}

function validatePorts(value: unknown, limits: RegistryLimits): Record<string, number> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('ports', 'must be a map of names to ports');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > limits.namedPortsMax) {
    throw invalid('ports', `must have at most ${limits.namedPortsMax} named ports`);
  }
  const ports: [string, number][] = [];
  for (const [name, port] of entries.sort((a, b) => compare(a[0], b[0]))) {
    if (!PORT_NAME.test(name) || name.length > PORT_NAME_CHARS_MAX) {
      throw invalid('ports',
        `name ${quote(name)} must be a DNS label of at most ${PORT_NAME_CHARS_MAX} characters`);
    }
    ports.push([name, validatePort(`ports.${name}`, port)]);
  }
  return Object.fromEntries(ports);
}

/** Validates and normalizes a registration; the id defaults to address:port. */
export function validateInstance(
  raw: RawInstance,
  limits: RegistryLimits = defaultLimits,
): InstanceSpec {
  const namespace = validateNamespace(raw.namespace, limits);
  const service = validateName('service', raw.service, limits.serviceNameCharsMax);
  const address = validateAddress(raw.address, limits);
  const port = validatePort('port', raw.port);
  const id = raw.id === undefined || raw.id === '' ? `${address}:${port}` :
    validateInstanceId('id', raw.id, limits.instanceIdCharsMax);
  if (id.length > limits.instanceIdCharsMax || !INSTANCE_ID.test(id)) {
    throw invalid('id', `cannot default to ${quote(id)}; give an id`);
  }
  const label = limits.labelCharsMax;
  return {
    namespace, service, id, address, port,
    ports: validatePorts(raw.ports, limits),
    protocol: optionalLabel('protocol', raw.protocol, PROTOCOL, label),
    version: optionalLabel('version', raw.version, LABEL, label),
    environment: optionalLabel('environment', raw.environment, LABEL, label),
    region: optionalLabel('region', raw.region, LABEL, label),
    zone: optionalLabel('zone', raw.zone, LABEL, label),
    tags: validateTags(raw.tags, limits),
    metadata: validateMetadata(raw.metadata, limits),
    weight: optionalInteger('weight', raw.weight,
      { min: 0, max: limits.weightMax, fallback: DEFAULT_WEIGHT }),
    priority: optionalInteger('priority', raw.priority,
      { min: -PRIORITY_ABS_MAX, max: PRIORITY_ABS_MAX, fallback: 0 }),
    capacity: optionalInteger('capacity', raw.capacity,
      { min: 0, max: limits.capacityMax, fallback: 0 }),
  };
}

/** A lookup's filters as they arrive from a client. */
export interface RawLookupQuery {
  readonly namespace?: string;
  readonly service?: string;
  readonly tags?: readonly string[];
  readonly version?: string;
  readonly zone?: string;
  readonly region?: string;
  readonly environment?: string;
  readonly includeUnhealthy?: boolean;
}

/**
 * A lookup's filters under the rules of a registration's fields: a filter that no instance
 * could match is a mistake worth naming, and an unbounded one would cost the node memory.
 */
export function validateLookupQuery(
  raw: RawLookupQuery,
  limits: RegistryLimits = defaultLimits,
): LookupQuery {
  const label = limits.labelCharsMax;
  return {
    namespace: validateNamespace(raw.namespace, limits),
    service: validateName('service', raw.service, limits.serviceNameCharsMax),
    tags: validateTags(raw.tags, limits),
    version: optionalLabel('version', raw.version, LABEL, label),
    zone: optionalLabel('zone', raw.zone, LABEL, label),
    region: optionalLabel('region', raw.region, LABEL, label),
    environment: optionalLabel('environment', raw.environment, LABEL, label),
    includeUnhealthy: raw.includeUnhealthy === true,
  };
}

/** Validates the key of an existing instance (deregister, get). */
export function validateKey(
  raw: { namespace?: string; service?: string; id?: string },
  limits: RegistryLimits = defaultLimits,
): InstanceKey {
  return {
    namespace: validateNamespace(raw.namespace, limits),
    service: validateName('service', raw.service, limits.serviceNameCharsMax),
    id: validateInstanceId('id', raw.id, limits.instanceIdCharsMax),
  };
}

/** A value as an error message shows it: strings quoted and escaped, objects by their type. */
function shown(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    return `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
  }
  return String(value);
}

/** Code-unit order: the same on every machine (localeCompare is not). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What the registry's state weighs, as the quota counts it: the text and numbers of every
 * instance and lease, about as many bytes as a snapshot spends on them. An estimate, but a
 * deterministic one (string lengths, never heap sizes), so every replica computes the same
 * figure from the same commands.
 */
import type { InstanceSpec } from './model.js';

/** Numbers, enums and revisions of an instance, and its place in the maps. */
const INSTANCE_FIXED_BYTES = 96;
/** A lease: id, TTL, remaining TTL and its table entry. */
export const LEASE_BYTES = 48;
/** A map entry or list item beyond its text. */
const ENTRY_BYTES = 8;

/** An instance's weight; a spec (not yet registered) weighs the same without load figures. */
export function instanceBytes(
  instance: InstanceSpec & { readonly load?: Readonly<Record<string, number>> },
): number {
  let bytes = INSTANCE_FIXED_BYTES + instance.namespace.length + instance.service.length +
    instance.id.length + instance.address.length + instance.protocol.length +
    instance.version.length + instance.environment.length + instance.region.length +
    instance.zone.length;
  for (const tag of instance.tags) bytes += tag.length + ENTRY_BYTES;
  const metadata = instance.metadata;
  for (const key in metadata) bytes += key.length + (metadata[key] ?? '').length + ENTRY_BYTES;
  for (const key in instance.ports) bytes += key.length + ENTRY_BYTES;
  for (const key in instance.load) bytes += key.length + ENTRY_BYTES;
  return bytes;
}

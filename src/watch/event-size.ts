/**
 * The history is bounded in bytes, but events are encoded only when a watcher first needs them
 * (most never are: a node replaying its log at start-up, or one nobody watches). So the bound
 * counts this estimate of an event's encoded size instead: its strings' lengths plus a few
 * bytes per field for tags, lengths and numbers, which is what protobuf spends. Exact for
 * ASCII; other text is counted per UTF-16 unit, so at most 3x under.
 */
import type { RegistryEvent } from '../registry/index.js';

/** Type, reason, revision, the numbers and enums of an instance, and message framing. */
const FIXED_BYTES = 64;
/** A field's tag and length prefix. */
const FIELD_BYTES = 3;
/** A map entry's framing and its two fields' tags and lengths. */
const MAP_ENTRY_BYTES = 8;

export function eventBytesEstimate(event: RegistryEvent): number {
  const i = event.instance;
  let bytes = FIXED_BYTES + i.namespace.length + i.service.length + i.id.length +
    i.address.length + i.protocol.length + i.version.length + i.environment.length +
    i.region.length + i.zone.length + 9 * FIELD_BYTES;
  for (const tag of i.tags) bytes += tag.length + FIELD_BYTES;
  for (const key in i.metadata) {
    bytes += key.length + (i.metadata[key] ?? '').length + MAP_ENTRY_BYTES;
  }
  for (const key in i.ports) bytes += key.length + MAP_ENTRY_BYTES + 3;
  for (const key in i.load) bytes += key.length + MAP_ENTRY_BYTES + 9;
  return bytes;
}

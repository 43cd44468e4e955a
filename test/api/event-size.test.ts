import { describe, expect, it } from 'vitest';
import { watchEventEncoder } from '../../src/api/watch-service.js';
import type { RegistryEvent, StoredInstance } from '../../src/registry/index.js';
import { eventBytesEstimate } from '../../src/watch/event-size.js';
import { storedInstance } from '../watch/helpers.js';

/** The history's byte bound counts estimates; they must track the real encoded sizes. */
describe('eventBytesEstimate', () => {
  const base = storedInstance({ namespace: 'default', service: 'web', id: 'web-1' },
    { createRevision: 3, modRevision: 7 });
  const cases: [string, Partial<StoredInstance>][] = [
    ['a bare instance', {}],
    ['tags and metadata', {
      tags: ['v1', 'http', 'primary'],
      metadata: { version: '1.4.2', commit: '9f2c1e7', owner: 'team-platform' },
    }],
    ['named ports and load', { ports: { http: 8080, metrics: 9090 }, load: { cpu: 0.4 } }],
    ['large metadata', {
      metadata: Object.fromEntries(
        Array.from({ length: 64 }, (_, i) => [`key-${i}`, 'v'.repeat(200)])),
    }],
  ];
  const encode = watchEventEncoder();

  it.each(cases)('is within [0.75x, 2x] of the encoded size: %s', (_, fields) => {
    const event: RegistryEvent = {
      type: 'PUT', reason: 'registered', revision: 7, instance: { ...base, ...fields },
    };
    const actual = encode(event).byteLength;
    const estimate = eventBytesEstimate(event);
    expect(estimate).toBeGreaterThanOrEqual(actual * 0.75);
    expect(estimate).toBeLessThanOrEqual(actual * 2);
  });
});

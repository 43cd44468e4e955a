import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/api/metrics.js';

describe('Metrics', () => {
  it('renders the process metrics as Prometheus text', async () => {
    const metrics = new Metrics();
    const text = await metrics.render();
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes']) {
      expect(text).toMatch(new RegExp(`^${name} \\d+(\\.\\d+)?(e[+-]?\\d+)?$`, 'm'));
    }
  });

  it('keeps each node its own registry: two nodes in one process do not clash', async () => {
    const first = new Metrics();
    const second = new Metrics();
    expect(await first.render()).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(await second.render()).toContain('# TYPE process_resident_memory_bytes gauge');
  });
});

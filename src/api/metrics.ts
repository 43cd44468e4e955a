import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The node's Prometheus metrics, served at GET /metrics on the HTTP port: for now the
 * process's own (resident memory, CPU, V8 heap and external memory, event-loop delay, garbage
 * collections, open file descriptors) under their standard names, so an operator sees memory
 * held and memory given back.
 */
export class Metrics {
  private readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

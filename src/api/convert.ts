import type { RawInstance, ServiceSummary, StoredInstance } from '../replica/api-surface.js';
import type { Instance, Instance__Output } from './generated/types/roster/v1/Instance.js';
import type {
  ServiceSummary as ServiceSummaryMessage,
} from './generated/types/roster/v1/ServiceSummary.js';

/** Between wire messages and the registry model. Validation is the registry's job. */

/** A request's instance as the validator takes it: absent fields undefined, not defaults. */
export function toRawInstance(message: Instance__Output | null | undefined): RawInstance {
  if (message === null || message === undefined) return {};
  return {
    namespace: message.namespace,
    service: message.service === '' ? undefined : message.service,
    id: message.id === '' ? undefined : message.id,
    address: message.address === '' ? undefined : message.address,
    port: message.port === 0 ? undefined : message.port,
    ports: message.ports,
    protocol: message.protocol,
    version: message.version,
    environment: message.environment,
    region: message.region,
    zone: message.zone,
    tags: message.tags,
    metadata: message.metadata,
    // `optional` in the proto: absent means the default weight, 0 means "never pick".
    weight: message._weight === 'weight' ? message.weight : undefined,
    priority: message.priority,
    capacity: message.capacity,
  };
}

const STATUS = { serving: 'SERVING', draining: 'DRAINING' } as const;
const HEALTH = { passing: 'PASSING', warning: 'WARNING', critical: 'CRITICAL' } as const;

export function toInstanceMessage(instance: StoredInstance): Instance {
  return {
    namespace: instance.namespace,
    service: instance.service,
    id: instance.id,
    address: instance.address,
    port: instance.port,
    ports: { ...instance.ports },
    protocol: instance.protocol,
    version: instance.version,
    environment: instance.environment,
    region: instance.region,
    zone: instance.zone,
    tags: [...instance.tags],
    metadata: { ...instance.metadata },
    weight: instance.weight,
    priority: instance.priority,
    capacity: instance.capacity,
    lease_id: instance.leaseId,
    status: STATUS[instance.status],
    health: HEALTH[instance.health],
    create_revision: instance.createRevision,
    mod_revision: instance.modRevision,
    load: { ...instance.load },
  };
}

export function toServiceSummaryMessage(summary: ServiceSummary): ServiceSummaryMessage {
  return { name: summary.name, instances: summary.instances, healthy: summary.healthy };
}

import { type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { LeaseRecord } from '../../domain/leader-election.js';

function dateOf(value: unknown): Date | undefined {
  // client-node types MicroTime fields as dates but hands them over as the strings it received.
  if (value instanceof Date) return value;
  return typeof value === 'string' && value !== '' ? new Date(value) : undefined;
}

/** The election's view of a Lease object: its spec, with absent fields as "none". */
export function leaseRecordOf(lease: V1Lease): LeaseRecord {
  const spec = lease.spec ?? {};
  const acquireTime = dateOf(spec.acquireTime);
  const renewTime = dateOf(spec.renewTime);
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    ...(acquireTime ? { acquireTime } : {}),
    ...(renewTime ? { renewTime } : {}),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/**
 * The Lease object to write for `record`; with the `resourceVersion` it was read at for a
 * replace, so that the API server refuses it (409) when someone else wrote in between. Times
 * are MicroTimes: the API server wants six fractional digits.
 */
export function leaseObject(
  lease: { readonly namespace: string; readonly name: string },
  record: LeaseRecord,
  resourceVersion?: string,
): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: lease.name, namespace: lease.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      ...(record.acquireTime ? { acquireTime: new V1MicroTime(record.acquireTime) } : {}),
      ...(record.renewTime ? { renewTime: new V1MicroTime(record.renewTime) } : {}),
      leaseTransitions: record.leaseTransitions,
    },
  };
}

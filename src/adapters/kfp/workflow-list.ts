import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

/** A list of workflows as the informer reads it. */
export type WorkflowList = KubernetesListObject<KubernetesObject>;

/**
 * client-node types the answer of a custom-object list as `any`; only the items and the list's
 * resource version (where the informer's watch resumes) are read, and a malformed answer reads
 * as an empty list.
 */
export function workflowListOf(body: unknown): WorkflowList {
  const { items, metadata } = (typeof body === 'object' && body !== null ? body : {}) as { items?: unknown; metadata?: unknown };
  const resourceVersion = (metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return {
    items: Array.isArray(items) ? (items as KubernetesObject[]) : [],
    metadata: typeof resourceVersion === 'string' ? { resourceVersion } : {},
  };
}

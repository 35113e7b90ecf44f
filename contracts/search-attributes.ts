/**
 * Custom search attributes the session workflow upserts on every transition, so the Temporal
 * Web UI can filter sessions by project, status and type. Registered by `tevis up` on its
 * embedded dev server and by the worker on any other cluster.
 */
export const SEARCH_ATTRIBUTE_NAMES = {
  project: 'TevisProject',
  status: 'TevisSessionStatus',
  type: 'TevisSessionType',
} as const;

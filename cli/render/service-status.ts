import { SERVICE_NAMES, type ServiceName, type ServiceStatus } from '../../contracts/responses.js';
import type { WorkerHostStatus } from '../../contracts/worker-hosts.js';
import { renderTable } from '../output.js';

const LABELS: Record<ServiceName, string> = {
  api: 'api',
  worker: 'worker',
  temporal: 'temporal',
  database: 'database',
  // The service is still called containerEngine in the API; what it reports is the TPU executor.
  containerEngine: 'TPU executor',
};

/** Sessions, reviews and planning work without a TPU executor (only nanocycles fail), so it never fails `status`. */
const OPTIONAL_SERVICES: readonly ServiceName[] = ['containerEngine'];

export function requiredServicesOk(status: ServiceStatus): boolean {
  return SERVICE_NAMES.every(
    (name) => OPTIONAL_SERVICES.includes(name) || status.services[name]?.status === 'ok',
  );
}

export function renderServiceStatus(status: ServiceStatus, apiUrl: string): string {
  const rows = SERVICE_NAMES.map((name) => {
    const check = status.services[name];
    const label = OPTIONAL_SERVICES.includes(name) ? `${LABELS[name]} (optional)` : LABELS[name];
    return [
      label,
      check?.status ?? 'unknown',
      check ? (name === 'api' ? `${check.detail} at ${apiUrl}` : check.detail) : 'not reported by this API',
    ];
  });
  const services = renderTable(['SERVICE', 'STATUS', 'DETAIL'], rows);
  if (!status.hosts?.length) return services;
  return `${services}\n\n${renderWorkerHosts(status.hosts)}`;
}

/** Each worker host, whether a worker serves it now, and the open sessions whose workspace it holds. */
export function renderWorkerHosts(hosts: WorkerHostStatus[]): string {
  const rows = hosts.map((host) => [
    host.name,
    host.pollers === null ? 'unknown' : host.pollers > 0 ? `up (${host.pollers} worker(s))` : 'down',
    host.sessions.length ? host.sessions.join(' ') : '-',
  ]);
  return renderTable(['HOST', 'WORKERS', 'OPEN SESSIONS'], rows);
}

import { isNotReadyYet } from './not-ready-errors.js';
import type { Dependency } from './wait-for-dependency.js';

/**
 * The services `tevis worker` and `tevis api` wait for, each with where it is (never a password)
 * and the fix of an error waiting cannot cure.
 */

const POSTGRES_FIXES: Record<string, string> = {
  '28P01': 'fix the user or password in DATABASE_URL',
  '28000': 'fix the user in DATABASE_URL, or allow it in the server’s pg_hba.conf',
  '3D000': 'create the database, or fix its name in DATABASE_URL',
};

/** A URL pg would misread (it takes any string): refused before anything is tried. */
export function postgresDependency(url: string): Dependency {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(
      'DATABASE_URL is not a Postgres URL; set it as postgres://USER:PASSWORD@HOST:5432/DATABASE',
    );
  }
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const password = decodeURIComponent(parsed.password);
  return {
    name: 'Postgres',
    where: `${host}:${parsed.port || 5432}`,
    configurationError(error) {
      if (isNotReadyYet(error)) return null;
      const code = (error as { code?: unknown }).code;
      const fix = typeof code === 'string' ? POSTGRES_FIXES[code] : undefined;
      return fix ?? 'check DATABASE_URL (user, password, database, sslmode) and the server';
    },
    secret: password || undefined,
  };
}

export function temporalDependency(address: string): Dependency {
  return {
    name: 'Temporal',
    where: address,
    configurationError: (error) =>
      isNotReadyYet(error)
        ? null
        : 'check TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the TEMPORAL_TLS* settings',
  };
}

export function engineDependency(where: string): Dependency {
  return {
    name: 'the container engine',
    where,
    // DOCKER_HOST is parsed before the first try; a ping that fails means the engine is not up.
    configurationError: () => null,
  };
}

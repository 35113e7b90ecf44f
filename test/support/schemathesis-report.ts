import { readFile } from 'node:fs/promises';

/**
 * The counts of a schemathesis run, read from its NDJSON event report (`--report ndjson`): every
 * scenario it finished carries the requests it sent (`interactions`), the cases they were made
 * from (method and path) and each check's result. Read here rather than from its console output,
 * which is for people and changes between releases.
 */
export interface FuzzCounts {
  /** Requests sent to the API. */
  requests: number;
  /** Distinct operations of the document (`METHOD /path`) that received at least one request. */
  operations: number;
  /** Failed check results by check name; a check that never failed is absent. */
  failuresByCheck: Record<string, number>;
  /** A few failures, for the test's message: check, operation and what it saw. */
  examples: string[];
  /** Errors that are not check failures (a schema it could not use, a request it could not send). */
  errors: string[];
}

interface Scenario {
  recorder?: {
    label?: string;
    checks?: Record<
      string,
      Array<{
        name: string;
        status: string;
        failure_info?: { failure?: { operation?: string; title?: string; message?: string } };
      }>
    >;
    interactions?: Record<string, unknown>;
  };
}

/** The counts of one or more runs together (operations counted once). */
export async function readFuzzReports(ndjsonPaths: string[]): Promise<FuzzCounts> {
  const counts: FuzzCounts = { requests: 0, operations: 0, failuresByCheck: {}, examples: [], errors: [] };
  const operations = new Set<string>();
  const lines = (await Promise.all(ndjsonPaths.map((path) => readFile(path, 'utf8')))).flatMap((text) =>
    text.split('\n'),
  );
  for (const line of lines) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as {
      ScenarioFinished?: Scenario;
      NonFatalError?: { value?: { type?: string; message?: string }; label?: string };
    };
    if (event.NonFatalError) {
      const { value, label } = event.NonFatalError;
      counts.errors.push(
        `${label ?? ''}: ${value?.type ?? 'error'}: ${(value?.message ?? '').split('\n')[0]}`,
      );
    }
    const recorder = event.ScenarioFinished?.recorder;
    if (!recorder) continue;
    counts.requests += Object.keys(recorder.interactions ?? {}).length;
    // A scenario of one operation is labelled `METHOD /path`; its cases also probe methods the
    // path does not have (405s), which are not operations of the document.
    if (
      recorder.label &&
      /^[A-Z]+ \//.test(recorder.label) &&
      Object.keys(recorder.interactions ?? {}).length
    )
      operations.add(recorder.label);
    for (const results of Object.values(recorder.checks ?? {})) {
      for (const result of results) {
        if (result.status !== 'failure') continue;
        counts.failuresByCheck[result.name] = (counts.failuresByCheck[result.name] ?? 0) + 1;
        const failure = result.failure_info?.failure;
        if (counts.examples.length < 20)
          counts.examples.push(
            `${result.name} on ${failure?.operation}: ${failure?.title}; ${(failure?.message ?? '').slice(0, 400)}`,
          );
      }
    }
  }
  counts.operations = operations.size;
  return counts;
}

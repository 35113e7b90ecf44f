import { ApplicationFailure } from '@temporalio/workflow';
import type { ProblemType } from '../contracts/problems.js';

/**
 * A command the workflow turns down. Typed with the problem the API answers it with (the type
 * travels to `api/problem.ts` as the failure's type), and never retried: asking again cannot
 * change the answer. `details` reaches the problem as its extra members.
 */
export function refuse(
  type: ProblemType,
  message: string,
  details?: Record<string, unknown>,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    ...(details ? { details: [details] } : {}),
  });
}

/** The session (or its nanocycle) is not in a state that allows the command. */
export function refused(message: string): ApplicationFailure {
  return refuse('invalid-transition', message);
}

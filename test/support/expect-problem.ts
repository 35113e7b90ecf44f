import { expect } from 'vitest';
import { PROBLEM_TYPE_PREFIX, type ProblemType } from '../../contracts/problems.js';
import type { ApiReply } from './api-reply.js';

/** The reply is problem+json with `status` and the stable `type` (`what` names the case on failure). */
export function expectProblem(reply: ApiReply, status: number, type: ProblemType, what = ''): void {
  expect({ what, status: reply.status, type: reply.json?.type, body: reply.text }).toMatchObject({
    what,
    status,
    type: PROBLEM_TYPE_PREFIX + type,
  });
  expect(reply.contentType).toContain('application/problem+json');
  expect(reply.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
}

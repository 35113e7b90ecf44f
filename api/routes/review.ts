import { reviewDiff } from '../../git/review-diff.js';
import { TevisError } from '../../contracts/errors.js';
import { ReviewDecision, ReviewState, ReviewView } from '../../contracts/review.js';
import type { Database } from '../../db/database.js';
import { getProject } from '../../db/projects-store.js';
import { optionalBody } from '../optional-body.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { reviewFromRecord } from '../review-record.js';
import type { ReviewCommands } from '../review-commands.js';
import { SessionIdParam, jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';

const tags = ['review'];

/** Review sessions: the branch's diff against its base, and the decision on merging it. */
export function reviewRoutes(db: Database, lifecycle: SessionLifecycle, review: ReviewCommands) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'get',
        path: '/sessions/{id}/review',
        tags,
        summary:
          "The reviewed branch against its base (the project's default branch): commits, files, patch and the decision",
        request: { params: SessionIdParam },
        responses: { 200: jsonResponse(ReviewView, 'The review') },
      },
      { answers: [403, 409] },
    ),
    async (c) => {
      const { id } = c.req.valid('param');
      const session = await lifecycle.requireCapability(id, 'diff:review');
      if (!session.workspacePath)
        throw new TevisError(
          'invalid-transition',
          `session ${id} has no workspace yet; it is ${session.status}`,
        );
      const live = await lifecycle.liveState(id);
      const review =
        live?.review ??
        (await reviewFromRecord(db, id, (await getProject(db, session.project)).defaultBranch));
      const diff = await reviewDiff({
        workspace: session.workspacePath,
        base: review.base,
        branch: session.branch,
        mergeCommit: review.status === 'merged' ? review.mergeCommit : null,
      });
      return c.json({ ...diff, status: review.status, review }, 200);
    },
  );

  for (const [decision, summary] of [
    [
      'approve',
      'Approve: merge the branch into its base (git merge --no-ff), pushed when the project pushes',
    ],
    ['reject', 'Reject: nothing is merged; the comment says why'],
  ] as const) {
    app.openapi(
      documentedRoute(
        {
          method: 'post',
          path: `/sessions/{id}/review/${decision}`,
          tags,
          summary,
          request: { params: SessionIdParam, body: { ...jsonBody(ReviewDecision), required: false } },
          responses: {
            200: jsonResponse(
              ReviewState,
              'The review after the decision (status merged, conflict or rejected)',
            ),
          },
        },
        { answers: [409] },
      ),
      async (c) => {
        const { id } = c.req.valid('param');
        const body = await optionalBody(c, ReviewDecision);
        await lifecycle.requireCapability(id, 'merge:approve');
        await lifecycle.requireOpen(id);
        return c.json(await review[decision](id, body), 200);
      },
    );
  }

  return app;
}

import { Session, SessionSwitch } from '../../contracts/session.js';
import { RecoverResult, SwitchResult } from '../../contracts/responses.js';
import { TevisError } from '../../contracts/errors.js';
import { documentedRoute } from '../documented-route.js';
import { openApiRouter } from '../openapi-app.js';
import { SessionIdParam, jsonBody, jsonResponse } from '../schemas.js';
import type { SessionLifecycle } from '../session-lifecycle.js';

const tags = ['sessions'];

/** What moves a session between its statuses: switch, pause, resume, end and recover. */
export function sessionCommandRoutes(lifecycle: SessionLifecycle) {
  const app = openApiRouter();

  app.openapi(
    documentedRoute(
      {
        method: 'post',
        path: '/sessions/{id}/switch',
        tags,
        summary:
          'Make this the active session of its project in one step: pause the one active now, resume this one; already active: nothing changes',
        request: { params: SessionIdParam, body: { ...jsonBody(SessionSwitch), required: false } },
        responses: { 200: jsonResponse(SwitchResult, 'Switched') },
      },
      { answers: [409] },
    ),
    async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as unknown;
      const parsed = SessionSwitch.safeParse(body ?? {});
      if (!parsed.success)
        throw new TevisError('validation', parsed.error.issues.map((i) => i.message).join('; '));
      return c.json(await lifecycle.switchTo(c.req.valid('param').id), 200);
    },
  );

  for (const [action, summary, run] of [
    ['pause', 'Pause an active session', (id: string) => lifecycle.pause(id)],
    [
      'resume',
      'Resume a paused session (409 `session-conflict` while another session of its project is active: switch instead)',
      (id: string) => lifecycle.resume(id),
    ],
    [
      'end',
      'End a session: workspace kept, state saved, temporary files removed, summary generated',
      (id: string) => lifecycle.end(id),
    ],
  ] as const) {
    app.openapi(
      documentedRoute(
        {
          method: 'post',
          path: `/sessions/{id}/${action}`,
          tags,
          summary,
          request: { params: SessionIdParam },
          responses: { 200: jsonResponse(Session, 'Done') },
        },
        { answers: [409] },
      ),
      async (c) => c.json(await run(c.req.valid('param').id), 200),
    );
  }

  app.openapi(
    documentedRoute(
      {
        method: 'post',
        path: '/sessions/{id}/recover',
        tags,
        summary: 'Bring back a session whose workflow was terminated, failed or lost',
        request: { params: SessionIdParam },
        responses: { 200: jsonResponse(RecoverResult, 'Recovered, or running fine already') },
      },
      { answers: [409] },
    ),
    async (c) => c.json(await lifecycle.recover(c.req.valid('param').id), 200),
  );

  return app;
}

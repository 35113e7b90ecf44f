import { type ClientApp, client, methods, RequestError } from '@agentclientprotocol/sdk';
import type { PermissionDesk } from './permission-desk.js';
import { type RunnerLine, updateLine } from './runner-lines.js';
import { MissingFile, RefusedPath, type WorktreeFiles } from './worktree-files.js';

/**
 * The client side the agent talks to: updates become lines, permission requests go to the desk,
 * file requests are served inside the worktree. Terminal methods are not registered (and the
 * runner announces `terminal: false`), so an agent asking for one gets "method not found".
 */
export function runnerClient(
  files: WorktreeFiles,
  desk: PermissionDesk,
  emit: (line: RunnerLine) => void,
): ClientApp {
  // A refusal is also a line: the person watching sees what the agent tried.
  async function served<T>(method: string, path: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof RefusedPath) {
        emit({ type: 'refused', method, path, reason: error.reason });
        throw RequestError.invalidParams({ path }, error.message);
      }
      if (error instanceof MissingFile) throw RequestError.resourceNotFound(path);
      throw RequestError.internalError(undefined, (error as Error).message);
    }
  }

  return (
    client({ name: 'tevis-acp-runner' })
      // Written synchronously as each notification arrives, so the lines keep the agent's order.
      .onNotification(methods.client.session.update, ({ params }) => emit(updateLine(params.update)))
      .onRequest(methods.client.session.requestPermission, ({ params }) => desk.ask(params))
      .onRequest(methods.client.fs.readTextFile, async ({ params }) => ({
        content: await served(methods.client.fs.readTextFile, params.path, () =>
          files.read(params.path, params.line, params.limit),
        ),
      }))
      .onRequest(methods.client.fs.writeTextFile, async ({ params }) => {
        await served(methods.client.fs.writeTextFile, params.path, () =>
          files.write(params.path, params.content),
        );
        return {};
      })
  );
}

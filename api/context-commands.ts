import type { ContextEdit, ContextEdited } from '../contracts/context-documents.js';
import { editContextUpdate } from '../workflows/context-messages.js';
import type { SessionWorkflows } from './session-workflows.js';

/**
 * A planning session's edits of its context documents: the workflow writes each on the session's
 * branch and commits it (the worker owns the workspace), so every edit is an Update on it.
 */
export class ContextCommands {
  constructor(private readonly workflows: SessionWorkflows) {}

  /** Writes `.tevis/<path>` and commits it (no commit when the content was there already). */
  write(sessionId: string, path: string, content: string): Promise<ContextEdited> {
    return this.edit(sessionId, { path, content });
  }

  /** Removes `.tevis/<path>` and commits the removal. */
  delete(sessionId: string, path: string): Promise<ContextEdited> {
    return this.edit(sessionId, { path, content: null });
  }

  private edit(sessionId: string, edit: ContextEdit): Promise<ContextEdited> {
    return this.workflows.update(sessionId, editContextUpdate, [edit]);
  }
}

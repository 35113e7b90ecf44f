import { ApplicationFailure } from '@temporalio/common';
import { CONTEXT_DIR, type ContextEdit, type ContextEdited } from '../contracts/context-documents.js';
import { TevisError } from '../contracts/errors.js';
import { deleteContextDocument, writeContextDocument } from '../git/context-documents.js';
import { workspaceRepository } from '../git/repository.js';
import { runGit } from '../git/run-git.js';

const AUTHOR = ['-c', 'user.name=Tevis Planning', '-c', 'user.email=planning@tevis.invalid'];

export interface CommitContextEditInput extends ContextEdit {
  sessionId: string;
  workspace: string;
}

/**
 * A planning session's change to one context document, written (or deleted) in the workspace
 * and committed on the session's branch: one commit per change, naming the document, holding only
 * that path. Writing what is there already commits nothing. Safe to repeat: a retry after the
 * commit finds nothing left to commit.
 */
export async function commitContextEdit(input: CommitContextEditInput): Promise<ContextEdited> {
  const action = input.content === null ? 'deleted' : 'written';
  const file = `${CONTEXT_DIR}/${input.path}`;
  try {
    if (input.content === null) await deleteContextDocument(input.workspace, input.path);
    else await writeContextDocument(input.workspace, input.path, input.content);
  } catch (error) {
    // A refusal (a link, a bad path) is the request's: not retried, its type carried to the API.
    if (error instanceof TevisError)
      throw ApplicationFailure.create({ message: error.message, type: error.type, nonRetryable: true });
    throw error;
  }
  const repo = workspaceRepository(input.workspace);
  await runGit(['add', '-A', '--', file], { repo });
  const staged = (await runGit(['diff', '--cached', '--name-only', '-z', '--', file], { repo }))
    .split('\0')
    .filter(Boolean);
  if (staged.length === 0) return { path: input.path, action, commit: null, changed: false };
  const verb = action === 'deleted' ? 'Delete' : 'Edit';
  // --only: the commit holds this document and nothing else the workspace may have staged.
  await runGit(
    [
      ...AUTHOR,
      'commit',
      '--no-verify',
      '--only',
      '-m',
      `${verb} context document ${file}`,
      '-m',
      `Planning session ${input.sessionId}.`,
      '--',
      file,
    ],
    { repo },
  );
  const commit = (await runGit(['rev-parse', 'HEAD'], { repo })).trim();
  return { path: input.path, action, commit, changed: true };
}

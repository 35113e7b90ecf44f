import { z } from 'zod';
import { PREFERENCE_BOUNDS, PreferenceKey, PreferenceValue } from './project.js';
import { NO_NUL_PATTERN, StorableText } from './storable.js';

/**
 * The context documents a session loads (activities/load-context.ts): files under `.tevis/` in the
 * repository, of these kinds. A planning session edits exactly those, so what it writes is what
 * the next session loads. Pure: the workflow checks paths with it too.
 */
export const CONTEXT_DIR = '.tevis';
export const CONTEXT_DOC_EXTENSIONS = /\.(md|markdown|txt|json|ya?ml|toml)$/i;
/** Skipped when the context is loaded (a place for scratch files), so never edited as context. */
export const CONTEXT_SKIPPED_DIR = 'tmp';
export const MAX_CONTEXT_DOC_CHARS = 256 * 1024;
const MAX_DEPTH = 8;
// Any name git and the loader take, but hidden ones and control characters.
const SEGMENT = /^[^./\\\u0000-\u001f\u007f][^/\\\u0000-\u001f\u007f]{0,254}$/;

/** Bytes in UTF-8: a file name may hold 255 of them (the words' count says less). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

export type ContextPathProblem = { type: 'path-outside-workspace' | 'validation'; message: string };

/**
 * Why `path` (relative to `.tevis/`) cannot name a context document, or null when it can. Escapes
 * (absolute, `..`, a backslash) are `path-outside-workspace`; names that would not load are
 * `validation`. Links on disk are found where the file is written (git/context-documents.ts).
 */
export function contextPathProblem(path: string): ContextPathProblem | null {
  const shown = JSON.stringify(path.replace(/\0/g, '\\0'));
  if (path.includes('\0') || path.startsWith('/') || path.includes('\\') || path.split('/').includes('..')) {
    return {
      type: 'path-outside-workspace',
      message: `context path ${shown} must stay inside ${CONTEXT_DIR}/: give it relative to ${CONTEXT_DIR}/, without ".." (e.g. notes/auth.md)`,
    };
  }
  const parts = path.split('/');
  if (parts[0] === CONTEXT_DIR)
    return {
      type: 'validation',
      message: `give the context path relative to ${CONTEXT_DIR}/, without the "${CONTEXT_DIR}/" prefix (e.g. ${parts.slice(1).join('/') || 'notes.md'})`,
    };
  if (
    path.length === 0 ||
    path.length > 1024 ||
    parts.length > MAX_DEPTH ||
    !parts.every((p) => SEGMENT.test(p) && utf8Length(p) <= 255)
  ) {
    return {
      type: 'validation',
      message: `context path ${shown} must be 1-${MAX_DEPTH} names separated by "/", none starting with "." or holding control characters, each at most 255 bytes`,
    };
  }
  if (parts.slice(0, -1).includes(CONTEXT_SKIPPED_DIR))
    return {
      type: 'validation',
      message: `${CONTEXT_DIR}/${CONTEXT_SKIPPED_DIR}/ is for scratch files and is not loaded as context; choose another folder`,
    };
  if (!CONTEXT_DOC_EXTENSIONS.test(path))
    return {
      type: 'validation',
      message: `context path ${shown} must end in .md, .markdown, .txt, .json, .yaml, .yml or .toml: those are the documents a session loads`,
    };
  return null;
}

/** Where the path goes in a request (query `?path=`): any text; `contextPathProblem` says what is wrong. */
export const ContextPathQuery = z.object({
  path: z.string().regex(NO_NUL_PATTERN, 'a path cannot contain a NUL character').min(1).max(4096),
});

export const ContextDocumentWrite = z
  .strictObject({ content: StorableText.max(MAX_CONTEXT_DOC_CHARS) })
  .meta({ id: 'ContextDocumentWrite' });
export type ContextDocumentWrite = z.infer<typeof ContextDocumentWrite>;

export const ContextDocument = z
  .object({ path: z.string(), content: z.string(), bytes: z.number().int() })
  .meta({ id: 'ContextDocument' });

export const ContextDocumentList = z
  .object({
    sessionId: z.string(),
    documents: z.array(z.object({ path: z.string(), bytes: z.number().int() })),
  })
  .meta({ id: 'ContextDocumentList' });

/** The session workflow's Update: write (content) or delete (content null) one document, committed. */
export const ContextEdit = z.strictObject({
  path: z.string().max(1024),
  content: StorableText.max(MAX_CONTEXT_DOC_CHARS).nullable(),
});
export type ContextEdit = z.infer<typeof ContextEdit>;

export const ContextEdited = z
  .object({
    path: z.string(),
    action: z.enum(['written', 'deleted']),
    /** The commit on the session's branch that made the change; null when nothing changed. */
    commit: z.string().nullable(),
    changed: z.boolean(),
  })
  .meta({ id: 'ContextEdited' });
export type ContextEdited = z.infer<typeof ContextEdited>;

/** The preferences the next session of the project loads: the project's over the repository's. */
export const ContextPreferences = z
  .object({
    project: z.string(),
    /** What a session loads: `repository` overlaid with `projectSettings`. */
    effective: z.record(z.string(), z.string()),
    projectSettings: z.record(z.string(), z.string()),
    /** From `.tevis/config.json` in this session's workspace. */
    repository: z.record(z.string(), z.string()),
  })
  .meta({ id: 'ContextPreferences' });
export type ContextPreferences = z.infer<typeof ContextPreferences>;

/** Sets and removes project preferences; a key in both is refused. */
export const PreferencesChange = z
  .strictObject({
    set: z.record(PreferenceKey, PreferenceValue).meta(PREFERENCE_BOUNDS).optional(),
    unset: z.array(PreferenceKey).max(100).optional(),
  })
  .meta({ id: 'PreferencesChange' });
export type PreferencesChange = z.infer<typeof PreferencesChange>;

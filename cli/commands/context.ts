import type { Command } from 'commander';
import { CONTEXT_DIR, ContextDocumentWrite, PreferencesChange } from '../../contracts/context-documents.js';
import type { ContextEdited, ContextPreferences } from '../../contracts/context-documents.js';
import { UsageError } from '../errors.js';
import { renderTable } from '../output.js';
import { planningCommand } from '../planning-command.js';
import { validateRequest } from '../request-validation.js';
import { readTextSource } from '../text-source.js';

const SESSION_HELP = 'planning session id (default: the current session)';
const PATH_HELP = `document path inside ${CONTEXT_DIR}/, e.g. notes/auth.md`;

/** `.tevis/notes.md` and `notes.md` name the same document. */
const inside = (path: string) =>
  path.startsWith(`${CONTEXT_DIR}/`) ? path.slice(CONTEXT_DIR.length + 1) : path;

function describeEdit(edited: ContextEdited): string {
  const file = `${CONTEXT_DIR}/${edited.path}`;
  if (!edited.changed) return `${file} unchanged: nothing to commit`;
  return `${edited.action === 'deleted' ? 'Deleted' : 'Wrote'} ${file}, committed as ${edited.commit!.slice(0, 12)} on the session's branch`;
}

function renderPreferences(prefs: ContextPreferences): string {
  const keys = Object.keys(prefs.effective).sort();
  if (keys.length === 0) return `No preferences; set one with \`tevis context prefs set key=value\``;
  const from = (key: string) => (key in prefs.projectSettings ? 'project' : 'repository');
  return (
    `Preferences the next session of ${prefs.project} loads:\n` +
    renderTable(
      ['KEY', 'VALUE', 'FROM'],
      keys.map((k) => [k, prefs.effective[k]!, from(k)]),
    )
  );
}

export function registerContextCommands(program: Command): void {
  const context = program
    .command('context')
    .description(
      `a planning session's context: the ${CONTEXT_DIR}/ documents and the preferences the next session loads`,
    );

  context
    .command('list')
    .description(`list the context documents (${CONTEXT_DIR}/: md, txt, json, yaml, toml)`)
    .option('--session <id>', SESSION_HELP)
    .action(async (flags: { session?: string }, command: Command) => {
      const p = await planningCommand(command, flags);
      const documents = await p.run('edit context documents', (c) => c.contextDocuments(p.sessionId));
      p.ctx.out.result({ sessionId: p.sessionId, documents }, () =>
        documents.length === 0
          ? `No context documents in ${CONTEXT_DIR}/`
          : renderTable(
              ['PATH', 'BYTES'],
              documents.map((d) => [`${CONTEXT_DIR}/${d.path}`, String(d.bytes)]),
            ),
      );
    });

  context
    .command('show')
    .description('print one context document')
    .argument('<path>', PATH_HELP)
    .option('--session <id>', SESSION_HELP)
    .action(async (path: string, flags: { session?: string }, command: Command) => {
      const p = await planningCommand(command, flags);
      const document = await p.run('edit context documents', (c) =>
        c.contextDocument(p.sessionId, inside(path)),
      );
      p.ctx.out.result(document, () => document.content);
    });

  context
    .command('edit')
    .description(
      "write a context document (from --file F, stdin with -, or $EDITOR) and commit it on the session's branch",
    )
    .argument('<path>', PATH_HELP)
    .argument('[source]', '"-" to read the content from stdin')
    .option('--file <file>', 'read the content from this file')
    .option('--session <id>', SESSION_HELP)
    .action(
      async (
        path: string,
        source: string | undefined,
        flags: { file?: string; session?: string },
        command: Command,
      ) => {
        if (source !== undefined && source !== '-')
          throw new UsageError(`unexpected "${source}": give the content with --file F, or - to read stdin`);
        const p = await planningCommand(command, flags);
        const target = inside(path);
        const content = await readTextSource({
          file: flags.file,
          dash: source === '-',
          name: target,
          what: 'content',
          current: () => p.planning.contextDocumentIfAny(p.sessionId, target),
        });
        const body = validateRequest(ContextDocumentWrite, { content }, { content: 'the content' });
        const edited = await p.run('edit context documents', (c) =>
          c.writeContextDocument(p.sessionId, target, body),
        );
        p.ctx.out.result(edited, () => describeEdit(edited));
      },
    );

  context
    .command('rm')
    .description("delete a context document and commit the removal on the session's branch")
    .argument('<path>', PATH_HELP)
    .option('--session <id>', SESSION_HELP)
    .action(async (path: string, flags: { session?: string }, command: Command) => {
      const p = await planningCommand(command, flags);
      const edited = await p.run('edit context documents', (c) =>
        c.deleteContextDocument(p.sessionId, inside(path)),
      );
      p.ctx.out.result(edited, () => describeEdit(edited));
    });

  context
    .command('prefs')
    .description(
      "show the preferences the next session loads; `set k=v …` or `unset k …` changes the project's",
    )
    .argument('[action]', 'set or unset')
    .argument('[items...]', 'k=v to set, k to unset')
    .option('--session <id>', SESSION_HELP)
    .action(
      async (action: string | undefined, items: string[], flags: { session?: string }, command: Command) => {
        let change: PreferencesChange | null = null;
        if (action === 'set') {
          if (items.length === 0)
            throw new UsageError('name what to set: tevis context prefs set key=value …');
          const set: Record<string, string> = {};
          for (const item of items) {
            const at = item.indexOf('=');
            if (at <= 0)
              throw new UsageError(`"${item}" is not key=value; e.g. tevis context prefs set style=terse`);
            set[item.slice(0, at)] = item.slice(at + 1);
          }
          change = validateRequest(PreferencesChange, { set }, { set: 'set' });
        } else if (action === 'unset') {
          if (items.length === 0)
            throw new UsageError('name what to remove: tevis context prefs unset key …');
          change = validateRequest(PreferencesChange, { unset: items }, { unset: 'unset' });
        } else if (action !== undefined) {
          throw new UsageError(
            `unknown action "${action}": use \`tevis context prefs\`, \`… prefs set k=v\` or \`… prefs unset k\``,
          );
        }
        const p = await planningCommand(command, flags);
        const prefs = await p.run('edit preferences', (c) =>
          change ? c.changePreferences(p.sessionId, change) : c.preferences(p.sessionId),
        );
        p.ctx.out.result(prefs, () => renderPreferences(prefs));
      },
    );
}

import type { Command } from 'commander';
import { MemoryEntryId, MemoryQuery, type MemoryEntry } from '../../contracts/memory.js';
import { formatTimestamp, renderFields, renderTable } from '../output.js';
import { planningCommand } from '../planning-command.js';
import { validateRequest, validateValue } from '../request-validation.js';

const SESSION_HELP = 'session id (default: the current session)';

const firstLine = (text: string) =>
  (text.split('\n').find((l) => l.trim()) ?? '').replace(/^#+\s*/, '').slice(0, 60);

export function registerMemoryCommands(program: Command): void {
  const memory = program
    .command('memory')
    .description("the project's memory: earlier sessions' summaries, newest first");

  memory
    .command('list', { isDefault: true })
    .description('list memory entries, newest first')
    .option('--kind <kind>', 'only entries of this kind, e.g. summary')
    .option('--limit <n>', 'entries per page (1-100)', '20')
    .option('--before <id>', 'the page older than this entry (the last page\'s "next")')
    .option('--session <id>', SESSION_HELP)
    .action(
      async (
        flags: { kind?: string; limit: string; before?: string; session?: string },
        command: Command,
      ) => {
        const query = validateRequest(
          MemoryQuery,
          { kind: flags.kind, limit: flags.limit, before: flags.before },
          { kind: '--kind', limit: '--limit', before: '--before' },
        );
        const p = await planningCommand(command, flags);
        const page = await p.run('browse memory', (c) => c.memory(p.sessionId, query));
        p.ctx.out.result(page, () => {
          if (page.entries.length === 0)
            return "No memory entries yet: a session's summary is filed here when it ends";
          const table = renderTable(
            ['ID', 'KIND', 'SESSION', 'CREATED', 'FIRST LINE'],
            page.entries.map((e) => [
              String(e.id),
              e.kind,
              e.sessionId ?? '-',
              formatTimestamp(e.createdAt),
              firstLine(e.content),
            ]),
          );
          return page.next === null
            ? table
            : `${table}\nOlder entries: tevis memory list --before ${page.next}`;
        });
      },
    );

  memory
    .command('show')
    .description('print one memory entry')
    .argument('<id>', 'entry id (`tevis memory list` shows them)')
    .option('--session <id>', SESSION_HELP)
    .action(async (given: string, flags: { session?: string }, command: Command) => {
      const id = validateValue(MemoryEntryId, given, 'ID');
      const p = await planningCommand(command, flags);
      const entry: MemoryEntry = await p.run('browse memory', (c) => c.memoryEntry(p.sessionId, id));
      p.ctx.out.result(
        entry,
        () =>
          `${renderFields([
            ['Entry', String(entry.id)],
            ['Kind', entry.kind],
            ['Session', entry.sessionId ?? '-'],
            ['Created', formatTimestamp(entry.createdAt)],
          ])}\n\n${entry.content}`,
      );
    });
}

import type { Command } from 'commander';
import type { TimelineEvent } from '../../contracts/timeline.js';
import type { TevisApiClient } from '../api-client.js';
import { commandContext } from '../command-context.js';
import { followEventStream } from '../event-stream.js';
import { followerNotes } from '../follower-notes.js';
import { renderEventLine } from '../render/timeline-event.js';
import { resolveSessionId } from '../session-argument.js';
import { untilInterrupted } from '../until-interrupted.js';

const PAGE = 1000;

async function allEvents(client: TevisApiClient, id: string): Promise<TimelineEvent[]> {
  const events: TimelineEvent[] = [];
  for (;;) {
    const page = await client.events(id, events.at(-1)?.seq ?? 0, PAGE);
    events.push(...page);
    if (page.length < PAGE) return events;
  }
}

export function registerSessionTimeline(session: Command): void {
  session
    .command('timeline')
    .description('the events of a session, oldest first; --follow keeps streaming new ones')
    .argument('[id]', 'session id (default: the current session)')
    .option('-f, --follow', 'stream events as they happen, until the session ends or Ctrl-C')
    .action(async (given: string | undefined, flags: { follow?: boolean }, command: Command) => {
      const ctx = commandContext(command);
      const id = await resolveSessionId(ctx.config.home, given);
      const client = await ctx.client();
      if (!flags.follow) {
        const events = await allEvents(client, id);
        ctx.out.result({ events }, () =>
          events.length ? events.map(renderEventLine).join('\n') : `no events for ${id} yet`,
        );
        return;
      }
      // Following prints as it goes: one line per event, or one JSON object per line (NDJSON).
      await untilInterrupted((signal) =>
        followEventStream(client, id, {
          after: 0,
          signal,
          onEvent(event) {
            process.stdout.write(`${ctx.json ? JSON.stringify(event) : renderEventLine(event)}\n`);
            // Nothing follows an ended session (it cannot be recovered), so stop there.
            return event.type === 'session.ended';
          },
          onReconnect: followerNotes(ctx.json).onReconnect,
        }),
      );
    });
}

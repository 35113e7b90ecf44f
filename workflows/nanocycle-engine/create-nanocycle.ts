import { type ApplicationFailure, patched } from '@temporalio/workflow';
import { type NanocycleCreate, nanocycleBranch, nanocycleId } from '../../contracts/nanocycle.js';
import { refuse } from '../refusal.js';
import { answeringWrites, isUnrecordable, unrecordedWrite } from '../unrecorded-write.js';
import type { NanocycleManager } from './nanocycle-manager.js';
import type { NanocycleBrief } from './types.js';

/** A name the session already used: refused, naming the nanocycle that has it (details[0]). */
export function nameTaken(taken: NanocycleBrief): ApplicationFailure {
  return refuse(
    'nanocycle-name-taken',
    `this session already has a nanocycle named "${taken.name}": ${taken.id} (${taken.status}); pick another name (\`--name\`)`,
    { nanocycleId: taken.id, nanocycleStatus: taken.status },
  );
}

/**
 * A new nanocycle: numbered, recorded while the caller waits (if that fails it never existed),
 * then in line for a TPU.
 */
export async function createNanocycle(
  manager: NanocycleManager,
  create: NanocycleCreate,
): Promise<NanocycleBrief> {
  const { book, holdOverrides } = manager;
  const state = book.state;
  // The validator refuses a name in use; this catches two creates admitted in one workflow
  // task, before either handler ran. Patched: histories recorded before it replay unchanged.
  const taken = state.nanocycles.find((n) => n.name === create.name);
  if (taken && patched('nanocycle-names-unique')) throw nameTaken(taken);
  const counter = (state.nanocycleCounter ?? state.nanocycles.length) + 1;
  state.nanocycleCounter = counter;
  const id = nanocycleId(counter);
  const nc: NanocycleBrief = {
    id,
    name: create.name,
    status: 'queued',
    branch: nanocycleBranch(id, create.name),
    executor: null,
    commit: null,
    filesChanged: 0,
    tpuSeconds: 0,
    detail: null,
  };
  state.nanocycles.push(nc);
  if (create.hold) holdOverrides.set(id, create.hold);
  book.noteActivity();
  try {
    await answeringWrites.recordNanocycle({
      nanocycle: {
        sessionId: state.sessionId,
        id,
        name: create.name,
        goal: create.goal ?? null,
        branch: nc.branch,
        status: 'queued',
        data: { run: create.run ?? null, hold: create.hold ?? null },
      },
      event: {
        sessionId: state.sessionId,
        type: 'nanocycle.queued',
        data: { nanocycleId: id, name: create.name, branch: nc.branch },
        key: book.eventKey(),
      },
    });
  } catch (error) {
    // Not recorded, so it never existed: no `queued` nanocycle waits in the state forever.
    state.nanocycles.splice(state.nanocycles.indexOf(nc), 1);
    holdOverrides.delete(id);
    // A refused write certainly left no row, so the id is free again; after a timeout a row
    // may exist, and reusing its id would mix two nanocycles.
    if (isUnrecordable(error) && state.nanocycleCounter === counter) state.nanocycleCounter = counter - 1;
    book.refreshCounts();
    throw unrecordedWrite(error, `nanocycle ${id}`);
  }
  const answer = { ...nc };
  // The record may have been written while a cancel arrived; only a still-queued one runs.
  if (nc.status === 'queued') manager.scheduler.enqueue({ id, create });
  return answer;
}

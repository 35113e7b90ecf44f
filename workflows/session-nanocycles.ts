import { type ApplicationFailure, setHandler } from '@temporalio/workflow';
import { unofferedOptionRefusal } from '../contracts/agent-option-picks.js';
import { sessionCan } from '../contracts/capabilities.js';
import { HoldPointResolve, NanocycleCreate, NanocycleMerge } from '../contracts/nanocycle.js';
import { isFinalNanocycleStatus, waitsForMerge } from '../contracts/nanocycle-statuses.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { SessionWorkflowState } from '../contracts/session-state.js';
import { requireStamp } from './command-guard.js';
import { nameTaken } from './nanocycle-engine/create-nanocycle.js';
import { NanocycleManager } from './nanocycle-engine/nanocycle-manager.js';
import {
  type AgentOptionChoice,
  cancelNanocycleUpdate,
  createNanocycleUpdate,
  type HoldAnswerRequest,
  holdOpenedSignal,
  mergeNanocycleUpdate,
  nanocycleProgressSignal,
  resolveHoldPointUpdate,
} from './nanocycle-messages.js';
import { refuse, refused } from './refusal.js';
import { refuseInvalid } from './validate-input.js';
import type { WorkspaceHost } from './workspace-host.js';

/**
 * An option the agent did not offer, or one of the other side, is refused as the API refuses it
 * from the record (contracts/agent-option-picks.js); the session knows the options before the
 * record shows them.
 */
function refuseUnofferedOption(
  options: readonly AgentOptionChoice[] | undefined,
  { holdPointId, decision, option }: HoldAnswerRequest,
): void {
  if (!options || option === undefined) return;
  const refusal = unofferedOptionRefusal(holdPointId, options, decision, option);
  if (refusal) throw refuse('validation', refusal.message, { options: refusal.options });
}

/** The session's settings were copied from its project at start: the fix names both ways out. */
function agentNotConfigured(project: string): ApplicationFailure {
  return refuse(
    'agent-not-configured',
    `this session has no agent command, so nothing would work on a goal; give the nanocycle run steps (\`tevis nanocycle create --name N --run "CMD"\`), ` +
      `or set the project's agent (\`tevis project update ${project} --agent '…'\`) and start a new session, which copies it`,
  );
}

/**
 * The session workflow's nanocycle messages, each delegating to the engine (nanocycle-engine/):
 * the validators refuse what cannot be done before anything changes; the handlers do it.
 * Returns the engine, for the session's own life: recover, inactivity, continue-as-new and end.
 */
export function installNanocycles(
  state: SessionWorkflowState,
  noteActivity: () => void,
  sealedCommands: boolean,
  host: WorkspaceHost,
  pauseSession: (why: string) => Promise<void>,
): NanocycleManager {
  const manager = new NanocycleManager(state, noteActivity, sealedCommands, host, pauseSession);
  const { book, holds, children } = manager;

  // Hold points carried over from the previous run get their deadlines back.
  holds.resumeDeadlines();

  setHandler(nanocycleProgressSignal, (message) => children.progress(message));
  setHandler(holdOpenedSignal, (message) => children.holdOpened(message));

  setHandler(createNanocycleUpdate, (create) => manager.create(create), {
    validator: (create: NanocycleCreate, stamp?: CommandStamp) => {
      requireStamp(state.sessionId, stamp);
      if (!sessionCan(state.type, 'nanocycle:create'))
        throw refuse(
          'capability-not-allowed',
          `a ${state.type} session cannot create nanocycles; that takes a development session`,
        );
      if (state.status !== 'active')
        throw refused(
          `session ${state.sessionId} is ${state.status}; nanocycles start in an active session (\`tevis session switch ${state.sessionId}\`)`,
        );
      if (!create || typeof create.name !== 'string') throw refused('a nanocycle needs a name');
      refuseInvalid(NanocycleCreate, create, 'nanocycle');
      // Names are unique within a session: a retried create must not make a second nanocycle
      // of the same name. Creation is serialized here, so no database index is needed for it.
      const taken = state.nanocycles.find((n) => n.name === create.name);
      if (taken) throw nameTaken(taken);
      // A goal is handed to the agent; without one it would only be queued to fail (exit 64).
      if (create.run === undefined && !book.execution.agent) throw agentNotConfigured(state.project);
    },
  });

  setHandler(cancelNanocycleUpdate, (id) => manager.cancel(id), {
    validator: (id: string, stamp?: CommandStamp) => {
      requireStamp(state.sessionId, stamp);
      const nc = book.brief(id);
      if (!nc) throw refuse('not-found', `session ${state.sessionId} has no nanocycle ${id}`);
      if (isFinalNanocycleStatus(nc.status)) throw refused(`${id} is already ${nc.status}`);
    },
  });

  setHandler(mergeNanocycleUpdate, (id: string, merge?: NanocycleMerge) => manager.merge(id, merge), {
    validator: (id: string, merge?: NanocycleMerge, stamp?: CommandStamp) => {
      requireStamp(state.sessionId, stamp);
      refuseInvalid(NanocycleMerge.optional(), merge, 'merge');
      const nc = book.brief(id);
      if (!nc) throw refuse('not-found', `session ${state.sessionId} has no nanocycle ${id}`);
      const hasMergeHold = state.pendingHoldPoints.some((h) => h.nanocycleId === id && h.kind === 'merge');
      if (!waitsForMerge(nc.status, hasMergeHold))
        throw refused(`${id} is ${nc.status}; only a completed nanocycle (or one in conflict) can be merged`);
    },
  });

  setHandler(resolveHoldPointUpdate, (resolution) => manager.resolveHold(resolution), {
    validator: (resolution, stamp?: CommandStamp) => {
      requireStamp(state.sessionId, stamp);
      const { holdPointId: _id, decision: _decision, ...answer } = resolution ?? {};
      refuseInvalid(HoldPointResolve, answer, 'answer');
      if (!holds.isPending(resolution?.holdPointId)) {
        throw refused(
          `hold point ${resolution?.holdPointId} is not pending in session ${state.sessionId}: it is unknown or already resolved`,
        );
      }
      const kind = holds.pending(resolution.holdPointId)!.kind;
      if (resolution.option !== undefined && kind !== 'agent')
        throw refuse(
          'validation',
          `option names one of an agent's options; ${resolution.holdPointId} is a ${kind} hold point`,
        );
      refuseUnofferedOption(holds.optionsOf(resolution.holdPointId), resolution);
    },
  });

  return manager;
}

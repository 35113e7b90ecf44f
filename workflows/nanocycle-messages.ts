import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  HoldDecision,
  HoldPointAnswer,
  NanocycleCreate,
  NanocycleMerge,
  HoldPointResolve,
} from '../contracts/nanocycle.js';
import type { AgentPermissionOption } from '../contracts/agent-permission.js';
import type { CommandStamp } from '../contracts/sealed-commands.js';
import type { HoldPointBrief, NanocycleBrief } from '../contracts/session-state.js';

/**
 * Who a signal between Tevis's own workflows is for, or from, and its place in the sender's
 * sequence. Sealing proves Tevis sent it; these make a sealed signal copied out of one history
 * useless anywhere else, or later (hold point and nanocycle ids repeat across sessions).
 * Absent in histories from before them.
 */
export interface SignalOrigin {
  /** The sending nanocycle workflow's id. */
  from?: string;
  /** 1, 2, … per sending run. */
  seq?: number;
}

/** Session → nanocycle: a person answered one of the nanocycle's hold points. */
export const holdAnsweredSignal = defineSignal<[HoldPointAnswer & { to?: string }]>('holdAnswered');

/**
 * Nanocycle → session: it needs a person (plan approval, an agent's question). An agent's question
 * carries its options, so the session can refuse an answer naming one it lacks before the record
 * shows them (absent in histories from before).
 */
export const holdOpenedSignal =
  defineSignal<[HoldPointBrief & SignalOrigin & { options?: AgentOptionChoice[] }]>('holdOpened');

/** An option of an agent's question, as far as a person's choice of it needs. */
export type AgentOptionChoice = Pick<AgentPermissionOption, 'optionId' | 'kind'>;

/** Nanocycle → session: its status changed (running, executor known, …). */
export const nanocycleProgressSignal =
  defineSignal<[Partial<NanocycleBrief> & { id: string } & SignalOrigin]>('nanocycleProgress');

/**
 * Callers → session: the commands that can be refused, answered with the nanocycle or hold point.
 * The API's CommandStamp comes last; histories from before it lack it, hence optional.
 */
export const createNanocycleUpdate = defineUpdate<NanocycleBrief, [NanocycleCreate, CommandStamp?]>(
  'createNanocycle',
);
export const cancelNanocycleUpdate = defineUpdate<NanocycleBrief, [string, CommandStamp?]>('cancelNanocycle');
// The second argument came later: histories from before it have only the id.
export const mergeNanocycleUpdate = defineUpdate<NanocycleBrief, [string, NanocycleMerge?, CommandStamp?]>(
  'mergeNanocycle',
);
/** A person's answer to a hold point, by its id. */
export type HoldAnswerRequest = { holdPointId: string; decision: HoldDecision } & HoldPointResolve;
export const resolveHoldPointUpdate = defineUpdate<HoldPointBrief, [HoldAnswerRequest, CommandStamp?]>(
  'resolveHoldPoint',
);

import { z } from 'zod';
import { ContextEdited } from '../context-documents.js';

/** What the timeline says about a session's workspace and what it loaded and changed there. */

const ServiceCheck = z.looseObject({
  status: z.enum(['ok', 'unavailable']),
  detail: z.string(),
  latencyMs: z.number(),
});

export const WORKSPACE_EVENTS = {
  'workspace.cloning': z.looseObject({ repository: z.string(), branch: z.string() }),
  'workspace.cloned': z.looseObject({
    path: z.string(),
    startCommit: z.string().nullable(),
    /** True when the workspace was there already (a retried start), so nothing was cloned. */
    reused: z.boolean(),
  }),
  /** The workspace was cloned again at `head`: it was gone when the session resumed or recovered. */
  'workspace.recloned': z.looseObject({
    path: z.string(),
    head: z.string().nullable(),
    why: z.string().optional(),
  }),
  /**
   * The worker host that held the workspace served none of its work for the project's
   * `hostLostSeconds`: the workspace was made again on host `to` from the remote and the pushed
   * nanocycle branches. `lost` names the merged nanocycles whose work was never pushed.
   */
  'workspace.moved': z.looseObject({
    from: z.string(),
    to: z.string(),
    path: z.string(),
    head: z.string(),
    restored: z.array(z.string()),
    lost: z.array(z.string()),
  }),
  /** The session started from work an earlier session merged but never pushed (carry-forward.ts). */
  'workspace.carried_forward': z.looseObject({
    fromSession: z.string(),
    commit: z.string(),
    commits: z.number(),
    remoteCommit: z.string(),
    workspace: z.string(),
  }),
  'workspace.not_carried_forward': z.looseObject({
    fromSession: z.string(),
    commit: z.string(),
    remoteCommit: z.string(),
    reason: z.enum(['remote-moved-on', 'workspace-gone']),
    fix: z.string(),
  }),
  'context.loaded': z.looseObject({
    docs: z.array(z.string()),
    memoryEntries: z.number(),
    /** The names of the preferences loaded, not their values. */
    preferences: z.array(z.string()),
  }),
  /** One check per service, by name (`database`, `containerEngine`, …). */
  'services.checked': z.record(z.string(), ServiceCheck),
  'file.edited': z.looseObject({ path: z.string(), bytes: z.number() }),
  'plan.drafted': z.looseObject({ version: z.number(), length: z.number() }),
  'context.edited': ContextEdited.loose(),
  /** The names set and removed, not their values. */
  'preferences.changed': z.looseObject({
    project: z.string(),
    set: z.array(z.string()),
    unset: z.array(z.string()),
  }),
};

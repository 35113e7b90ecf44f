import type { ExecutionSettings } from '../contracts/execution-settings.js';

export interface NanocycleWorkflowInput {
  sessionId: string;
  sessionWorkflowId: string;
  nanocycleId: string;
  name: string;
  goal: string | null;
  run: string[] | null;
  branch: string;
  /** The session branch the nanocycle starts from. */
  base: string;
  workspace: string;
  /** The worker host that holds the workspace: the nanocycle's steps run there. Absent before hosts. */
  workspaceHost?: string | null;
  execution: ExecutionSettings;
  holdPlan: boolean;
}

import type { Command } from 'commander';
import { registerSessionCreate } from './session-create.js';
import { registerSessionEnd } from './session-end.js';
import { registerSessionInfo } from './session-info.js';
import { registerSessionList } from './session-list.js';
import { registerSessionOutput } from './session-output.js';
import { registerSessionPauseResume } from './session-pause-resume.js';
import { registerSessionRecover } from './session-recover.js';
import { registerSessionSummary } from './session-summary.js';
import { registerSessionSwitch } from './session-switch.js';
import { registerSessionTimeline } from './session-timeline.js';

export function registerSessionCommands(program: Command): void {
  const session = program
    .command('session')
    .description('create, switch, pause, resume, inspect and end sessions');
  registerSessionCreate(session);
  registerSessionList(session);
  registerSessionSwitch(session);
  registerSessionPauseResume(session);
  registerSessionInfo(session);
  registerSessionEnd(session);
  registerSessionSummary(session);
  registerSessionRecover(session);
  registerSessionTimeline(session);
  registerSessionOutput(session);
}

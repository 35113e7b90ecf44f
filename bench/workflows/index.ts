export { counterWorkflow } from './counter.js';
export { oneActivityWorkflow } from './one-activity.js';

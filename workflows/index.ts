/** Everything the worker registers as workflows; bundled for the Temporal sandbox. */
export { sessionWorkflow } from './session-workflow.js';
export { nanocycleWorkflow } from './nanocycle-workflow.js';

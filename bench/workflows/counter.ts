import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const bumpUpdate = defineUpdate<number>('bump');

/** The baseline for Update round trips: no activities, no record, just a counter. */
export async function counterWorkflow(): Promise<number> {
  let count = 0;
  let done = false;
  setHandler(bumpUpdate, () => ++count);
  setHandler(defineUpdate<void>('done'), () => {
    done = true;
  });
  await condition(() => done);
  return count;
}

import { ApplicationFailure } from '@temporalio/common';
import { dataError } from '../db/data-errors.js';

/** The failure type (and problem type) of a write the database refuses for its data. */
export const UNRECORDABLE = 'unrecordable';

/**
 * Runs a record write; when the database refuses the data itself (a NUL byte, a number out of
 * range) it fails at once and for good. Retrying such a write only held the caller for minutes
 * before the same refusal, with the workflow's state already claiming what was never recorded.
 */
export async function failFastOnDataError<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const refused = dataError(error);
    if (!refused) throw error;
    throw ApplicationFailure.create({
      type: UNRECORDABLE,
      nonRetryable: true,
      message: `the database cannot record this: ${refused.message} (SQLSTATE ${refused.code})`,
    });
  }
}

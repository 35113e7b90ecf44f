/**
 * The patch under which a hold point and its nanocycle's waiting status are recorded by one
 * activity in one transaction, in the session's workflow and in a nanocycle's alike.
 */
export const HOLD_WITH_STATUS_PATCH = 'hold-opened-with-status';

/** What went wrong, as a person should read it: an activity's own message rather than its wrapper's. */
export function failureMessage(error: unknown): string {
  return error instanceof Error
    ? error.cause instanceof Error
      ? error.cause.message
      : error.message
    : String(error);
}

/** The HTTP status the container engine answered a failed call with (dockerode puts it on the error). */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** The one trivial activity of the start baseline (bench/workflows/one-activity.ts). */
export const baselineActivities = {
  async nothing(): Promise<number> {
    return 1;
  },
};

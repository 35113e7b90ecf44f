import type Docker from 'dockerode';

/** Whether the engine answers at all within `ms`; any error (no socket, refused, timeout) is no, with why. */
export async function pingEngine(docker: Docker, ms: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([docker.ping().then(() => null), timeout]);
  } catch (error) {
    return (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

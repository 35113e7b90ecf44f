/** An SSE body: the chunks, then either the end or (open) nothing more until the request is aborted. */
export function sse(chunks: string[], signal: AbortSignal, open = false): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        if (!open) return controller.close();
        signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')), {
          once: true,
        });
      },
    }),
    { headers: { 'content-type': 'text/event-stream' } },
  );
}

/** A sleep for followers under test: a couple of milliseconds whatever they ask, cut short by abort. */
export const tick = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.min(ms, 2));
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

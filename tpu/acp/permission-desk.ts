import type {
  PermissionOption,
  RequestPermissionRequest,
  RequestPermissionResponse,
} from '@agentclientprotocol/sdk';
import type { RunnerLine } from './runner-lines.js';

interface OpenRequest {
  id: number;
  options: PermissionOption[];
  settle: (response: RequestPermissionResponse) => void;
}

const CANCELLED: RequestPermissionResponse = { outcome: { outcome: 'cancelled' } };

/**
 * Where an answer carries the person's comment. ACP's answer has no field for words, and custom
 * data goes under `_meta` with a prefixed key (ACP's extensibility rules); an agent that does not
 * know the key ignores it.
 */
export const COMMENT_META_KEY = 'tevis/comment';

function withComment(
  response: RequestPermissionResponse,
  comment: string | undefined,
): RequestPermissionResponse {
  return comment === undefined ? response : { ...response, _meta: { [COMMENT_META_KEY]: comment } };
}

/**
 * The agent's `session/request_permission` requests, each printed as a `permission` line and held
 * open until an answer line arrives on stdin. An answer names the request it is for (its `id` in
 * the permission line): the agent can write lines that look like the runner's, and an answer to
 * one of those must not settle a real request. An answer without an id goes to the oldest.
 */
export class PermissionDesk {
  private nextId = 1;
  private readonly open: OpenRequest[] = [];
  private cancelled = false;
  private inputClosed = false;

  constructor(
    private readonly emit: (line: RunnerLine) => void,
    /** Called when a request can never be answered (stdin is closed): the runner cancels the turn. */
    private readonly onUnanswerable: (why: string) => void,
  ) {}

  ask(params: RequestPermissionRequest): Promise<RequestPermissionResponse> {
    const id = this.nextId++;
    this.emit({ type: 'permission', id, toolCall: params.toolCall, options: params.options });
    const answer = new Promise<RequestPermissionResponse>((settle) =>
      this.open.push({ id, options: params.options, settle }),
    );
    // ACP: once the client cancels the turn it answers every permission request `cancelled`.
    if (this.cancelled) this.cancelAll();
    else if (this.inputClosed) this.onUnanswerable('a permission request arrived after stdin closed');
    return answer;
  }

  /**
   * Answers the request (the oldest open one by default) with one of its options, and the person's
   * comment if any; a message says why not otherwise.
   */
  answer(optionId: string, requestId?: number, comment?: string): string | null {
    const head = this.find(requestId);
    if (!head)
      return requestId === undefined
        ? 'no permission request is open'
        : `no permission request ${requestId} is open`;
    if (!head.options.some((option) => option.optionId === optionId))
      return `option ${JSON.stringify(optionId)} is not one of ${head.options.map((o) => o.optionId).join(', ')}`;
    this.settle(head, withComment({ outcome: { outcome: 'selected', optionId } }, comment), optionId);
    return null;
  }

  /** Answers the oldest open request `cancelled` (the person dismissed it), leaving the turn running. */
  dismiss(requestId?: number, comment?: string): string | null {
    const head = this.find(requestId);
    if (!head)
      return requestId === undefined
        ? 'no permission request is open'
        : `no permission request ${requestId} is open`;
    this.settle(head, withComment(CANCELLED, comment), 'cancelled');
    return null;
  }

  /** The turn is being cancelled: every open and later request is answered `cancelled`. */
  cancelAll(): void {
    this.cancelled = true;
    for (const request of [...this.open]) this.settle(request, CANCELLED, 'cancelled');
  }

  /** No answer can come any more: a request open now or later cancels the turn. */
  closeInput(): void {
    this.inputClosed = true;
    if (this.open.length > 0 && !this.cancelled)
      this.onUnanswerable('stdin closed with a permission request open');
  }

  private find(requestId: number | undefined): OpenRequest | undefined {
    return requestId === undefined ? this.open[0] : this.open.find((request) => request.id === requestId);
  }

  private settle(request: OpenRequest, response: RequestPermissionResponse, outcome: string): void {
    this.open.splice(this.open.indexOf(request), 1);
    this.emit({ type: 'permission_answered', id: request.id, outcome });
    request.settle(response);
  }
}

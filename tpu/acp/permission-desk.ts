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
 * The agent's `session/request_permission` requests, each printed as a `permission` line and held
 * open until an answer line arrives on stdin. Answers go to the oldest open request: an agent asks
 * one at a time in practice, and first-in-first-out keeps the stdin protocol free of ids.
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

  /** Answers the oldest open request with one of its options; a message says why not otherwise. */
  answer(optionId: string): string | null {
    const head = this.open[0];
    if (!head) return 'no permission request is open';
    if (!head.options.some((option) => option.optionId === optionId))
      return `option ${JSON.stringify(optionId)} is not one of ${head.options.map((o) => o.optionId).join(', ')}`;
    this.settle(head, { outcome: { outcome: 'selected', optionId } }, optionId);
    return null;
  }

  /** Answers the oldest open request `cancelled` (the person dismissed it), leaving the turn running. */
  dismiss(): string | null {
    const head = this.open[0];
    if (!head) return 'no permission request is open';
    this.settle(head, CANCELLED, 'cancelled');
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

  private settle(request: OpenRequest, response: RequestPermissionResponse, outcome: string): void {
    this.open.splice(this.open.indexOf(request), 1);
    this.emit({ type: 'permission_answered', id: request.id, outcome });
    request.settle(response);
  }
}

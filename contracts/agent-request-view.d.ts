/** See agent-request-view.js: what an agent hold point shows of its permission request. */
export interface AgentOptionView {
  /** What `option` in an answer names, as the agent gave it: clean it before showing it. */
  optionId: string;
  name: string;
  kind: string;
  /** The decision that answers with it when no option is named. */
  answers: 'approve' | 'reject' | null;
  /** The decision that can name it: allow options approve, reject options reject. */
  side: 'approve' | 'reject' | null;
}
export interface AgentRequestView {
  title: string;
  kind: string | null;
  paths: string[];
  input: string | null;
  options: AgentOptionView[];
}
export declare function agentRequestView(request: unknown): AgentRequestView | null;

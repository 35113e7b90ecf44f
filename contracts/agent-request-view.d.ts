/** See agent-request-view.js: what an agent hold point shows of its permission request. */
export interface AgentOptionView {
  name: string;
  kind: string;
  answers: 'approve' | 'reject' | null;
}
export interface AgentRequestView {
  title: string;
  kind: string | null;
  paths: string[];
  input: string | null;
  options: AgentOptionView[];
}
export declare function agentRequestView(request: unknown): AgentRequestView | null;

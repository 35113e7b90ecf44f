import type {
  ContextDocumentWrite,
  ContextEdited,
  ContextPreferences,
  PreferencesChange,
} from '../contracts/context-documents.js';
import type { MemoryEntry, MemoryPage } from '../contracts/memory.js';
import type { PlanDrafted, PlanVersion, PlanVersionSummary } from '../contracts/plan.js';
import type { TevisApiClient } from './api-client.js';
import { ApiProblemError } from './errors.js';

/** The planning routes of the API (plans, context, memory), as the CLI's planning commands call them. */
export class PlanningClient {
  constructor(private readonly api: TevisApiClient) {}

  private session(id: string, rest: string): string {
    return `/sessions/${encodeURIComponent(id)}${rest}`;
  }

  draftPlan(id: string, plan: string): Promise<PlanDrafted> {
    return this.api.json('PUT', this.session(id, '/plan'), { body: { plan } });
  }

  plan(id: string, version?: number): Promise<PlanVersion> {
    return this.api.json(
      'GET',
      this.session(id, version === undefined ? '/plan' : `/plan/versions/${version}`),
    );
  }

  async planVersions(id: string): Promise<PlanVersionSummary[]> {
    return (
      await this.api.json<{ versions: PlanVersionSummary[] }>('GET', this.session(id, '/plan/versions'))
    ).versions;
  }

  async contextDocuments(id: string): Promise<{ path: string; bytes: number }[]> {
    return (
      await this.api.json<{ documents: { path: string; bytes: number }[] }>(
        'GET',
        this.session(id, '/context/documents'),
      )
    ).documents;
  }

  contextDocument(id: string, path: string): Promise<{ path: string; content: string; bytes: number }> {
    return this.api.json('GET', this.session(id, '/context/document'), { query: { path } });
  }

  /** The document's content, or null when there is none yet (an editor starts empty). */
  async contextDocumentIfAny(id: string, path: string): Promise<string | null> {
    try {
      return (await this.contextDocument(id, path)).content;
    } catch (error) {
      if (error instanceof ApiProblemError && error.type === 'file-not-found') return null;
      throw error;
    }
  }

  writeContextDocument(id: string, path: string, body: ContextDocumentWrite): Promise<ContextEdited> {
    return this.api.json('PUT', this.session(id, '/context/document'), { query: { path }, body });
  }

  deleteContextDocument(id: string, path: string): Promise<ContextEdited> {
    return this.api.json('DELETE', this.session(id, '/context/document'), { query: { path } });
  }

  preferences(id: string): Promise<ContextPreferences> {
    return this.api.json('GET', this.session(id, '/context/preferences'));
  }

  changePreferences(id: string, change: PreferencesChange): Promise<ContextPreferences> {
    return this.api.json('PATCH', this.session(id, '/context/preferences'), { body: change });
  }

  memory(id: string, query: { kind?: string; limit?: number; before?: number }): Promise<MemoryPage> {
    return this.api.json('GET', this.session(id, '/memory'), { query });
  }

  memoryEntry(id: string, entry: number): Promise<MemoryEntry> {
    return this.api.json('GET', this.session(id, `/memory/${entry}`));
  }
}

import type { Diagnosis } from '../diagnostics/findings.js';
import type { Evidence } from '../diagnostics/evidence.js';
import type { ConversationRef } from '../kernel/refs.js';

// What the core keeps of a check: enough to answer its buttons (re-run, show evidence, propose
// a fix) by an opaque id. Implemented over the store (src/store) and in memory for tests.
export interface CheckRunRecord {
  id: string;
  nodes: string[];
  cluster?: string;
  initiator?: string;
  requesterId: string;
  /** The schedule that fired the run, for a scheduled run. */
  scheduleId?: string;
  conversation: ConversationRef;
  createdAt: string;
  diagnosis: Diagnosis;
  evidence: Evidence;
}

export interface CoreStore {
  saveCheckRun(run: Omit<CheckRunRecord, 'id'>): Promise<CheckRunRecord>;
  getCheckRun(id: string): Promise<CheckRunRecord | undefined>;
}

export function newId(prefix: string): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `${prefix}_${Buffer.from(bytes).toString('base64url')}`;
}

export class MemoryCoreStore implements CoreStore {
  private readonly runs = new Map<string, CheckRunRecord>();
  async saveCheckRun(run: Omit<CheckRunRecord, 'id'>): Promise<CheckRunRecord> {
    const record = { ...run, id: newId('cr') };
    this.runs.set(record.id, record);
    return record;
  }
  async getCheckRun(id: string): Promise<CheckRunRecord | undefined> {
    return this.runs.get(id);
  }
}

import type { Diagnosis } from '../diagnostics/findings.js';
import type { Evidence } from '../diagnostics/evidence.js';
import type { ConversationRef } from '../kernel/refs.js';

// What the core keeps of a check: enough to answer its buttons (re-run, show evidence, propose
// a fix) by an opaque id. Implemented over the store (src/store/core-store-adapter.ts); tests
// have an in-memory one (test/helpers/fakes.ts).
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

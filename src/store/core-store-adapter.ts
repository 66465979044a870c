import type { CheckRunRecord, CoreStore } from '../core/core-store.js';
import type { Diagnosis } from '../diagnostics/findings.js';
import type { Evidence } from '../diagnostics/evidence.js';
import type { CheckRunStore } from './store.js';

// The core's check records (src/core/core-store.ts) over the store. The stored document of a run is the diagnosis plus
// the evidence it rests on (and the initiator checked), so "Show evidence" and "Propose fix"
// work from exactly what was judged, long after the run.
interface StoredResult extends Diagnosis {
  evidence: Evidence;
  initiator?: string;
}

export class StoreBackedCoreStore implements CoreStore {
  constructor(private readonly store: Pick<CheckRunStore, 'saveCheckRun' | 'getCheckRun'>) {}

  async saveCheckRun(run: Omit<CheckRunRecord, 'id'>): Promise<CheckRunRecord> {
    const document: StoredResult = { ...run.diagnosis, evidence: run.evidence, ...(run.initiator ? { initiator: run.initiator } : {}) };
    const saved = await this.store.saveCheckRun({
      cluster: run.cluster ?? null,
      nodes: run.nodes,
      // A scheduled run has no person behind it (the store's convention: requester null).
      requester: run.scheduleId ? null : run.requesterId,
      ...(run.scheduleId ? { scheduleId: run.scheduleId } : {}),
      conversation: run.conversation,
      verdict: run.diagnosis.verdict.status,
      diagnosis: document,
      createdAt: new Date(run.createdAt),
    });
    return { ...run, id: saved.id };
  }

  async getCheckRun(id: string): Promise<CheckRunRecord | undefined> {
    const run = await this.store.getCheckRun(id);
    if (!run || !run.conversation) return undefined;
    const { evidence, initiator, ...diagnosis } = run.diagnosis as StoredResult;
    return {
      id: run.id,
      nodes: run.nodes,
      ...(run.cluster ? { cluster: run.cluster } : {}),
      ...(initiator ? { initiator } : {}),
      requesterId: run.requester ?? 'scheduler',
      ...(run.scheduleId ? { scheduleId: run.scheduleId } : {}),
      conversation: run.conversation,
      createdAt: run.createdAt.toISOString(),
      diagnosis,
      evidence,
    };
  }
}

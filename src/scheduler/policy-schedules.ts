import { createHash } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import type { PolicySchedule } from '../approvals/policy-schema.js';
import type { ScheduleStore } from '../store/store.js';
import { parseCron } from './cron.js';

// Schedules written in the policy file, loaded by every replica at start. Each gets an id
// derived from what it is (cluster, channel, cron, zone), so every replica upserts the same
// record and a restart keeps its last fired slot (no re-fire) and its pause note. A schedule
// removed from the file is removed from the store; chat schedules are left alone.

export function policyScheduleId(s: PolicySchedule): string {
  const key = [s.cluster, s.target.platform, s.target.channelId, s.cron, s.tz].join('\n');
  return `pol_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export interface PolicySyncResult {
  upserted: string[];
  removed: string[];
  /** One line per schedule refused (bad cron or zone), also logged. */
  refused: string[];
}

export async function syncPolicySchedules(store: ScheduleStore, schedules: PolicySchedule[], now: Date, logger: Logger): Promise<PolicySyncResult> {
  const result: PolicySyncResult = { upserted: [], removed: [], refused: [] };
  for (const [index, s] of schedules.entries()) {
    const cron = parseCron(s.cron, s.tz);
    if (!cron.ok) {
      const line = `policy file schedules[${index}] (${s.cluster}): ${cron.message}`;
      logger.error('policy schedule refused', { index, cluster: s.cluster, problem: cron.message });
      result.refused.push(line);
      continue;
    }
    const id = policyScheduleId(s);
    await store.upsertSchedule({ id, cluster: s.cluster, cron: s.cron, tz: s.tz, quiet: s.quiet, target: { platform: s.target.platform, channelId: s.target.channelId }, createdBy: 'policy', source: 'policy', createdAt: now });
    result.upserted.push(id);
  }
  const keep = new Set(result.upserted);
  for (const stale of (await store.listSchedules()).filter((s) => s.source === 'policy' && !keep.has(s.id))) {
    await store.deleteSchedule(stale.id);
    result.removed.push(stale.id);
  }
  return result;
}

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCards } from '../../../../adapters/teams/render.js';
import { scenarioAttachmentReply } from '../../../../src/core/save-scenario.js';
import { runCheck } from '../../../../src/diagnostics/run-check.js';
import { fixedClock } from '../../../../src/kernel/clock.js';
import { LabBackend } from '../../../../src/lab/lab-backend.js';
import { loadScenario, parseScenario } from '../../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../../src/relay/in-process-client.js';

// Save as lab scenario on Teams: the redacted YAML rides in the cards as a file section, whole,
// so it can be copied out and loaded as a lab.

function textBlocks(node: unknown): Array<{ text: string; fontType?: string }> {
  if (Array.isArray(node)) return node.flatMap(textBlocks);
  if (!node || typeof node !== 'object') return [];
  const o = node as Record<string, unknown>;
  const own = o.type === 'TextBlock' ? [{ text: String(o.text), ...(typeof o.fontType === 'string' ? { fontType: o.fontType } : {}) }] : [];
  return [...own, ...Object.values(o).flatMap(textBlocks)];
}

describe('Save as lab scenario on Teams', () => {
  it('carries the whole redacted scenario in the cards', async () => {
    const scenario = await loadScenario(path.resolve(import.meta.dirname, '../../../../lab/spn-duplicate.yaml'));
    const { diagnosis, evidence } = await runCheck(new InProcessRelayClient(new LabBackend(scenario), 'lab'), ['HV01', 'HV02'], { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
    const reply = scenarioAttachmentReply({ id: 'cr_test', nodes: ['HV01', 'HV02'], requesterId: 'u', conversation: { platform: 'teams', channelId: 'c' }, createdAt: scenario.domain.now, diagnosis, evidence });
    const cards = renderCards(reply);
    const blocks = cards.flatMap((c) => textBlocks(c));
    expect(blocks.some((b) => b.text.startsWith('Attachment: incident-cr_test.yaml'))).toBe(true);
    const yaml = blocks.filter((b) => b.fontType === 'monospace').map((b) => b.text).join('\n');
    expect(yaml).not.toMatch(/HV0\d|lab\.test/i);
    const loaded = parseScenario(yaml, 'incident.yaml');
    expect(loaded.expect).toMatchObject({ nodes: ['NODE01', 'NODE02'], verdict: diagnosis.verdict.status, rootCauses: diagnosis.verdict.rootCauses });
  });
});

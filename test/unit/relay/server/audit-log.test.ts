import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileAuditLog, type AuditRecord } from '../../../../src/relay/server/audit-log.js';

const record = (i: number): AuditRecord => ({
  time: '2026-01-01T00:00:00.000Z',
  keyId: 'bot',
  operation: 'host.security',
  params: { node: `HV${i}`, note: 'line\nbreak "quoted"' },
  requester: null,
  approvalId: null,
  outcome: 'ok',
  status: 200,
  errorCode: null,
  durationMs: 1,
  remote: '127.0.0.1',
});

describe('FileAuditLog', () => {
  it('writes one whole JSON line per record under concurrent appends, each on disk when its promise resolves', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'audit-')), 'nested', 'audit.jsonl');
    const log = new FileAuditLog(file);
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        await log.append(record(i));
        expect(readFileSync(file, 'utf8')).toContain(`"node":"HV${i}"`);
      }),
    );
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { params: { node: string } }).params.node)).size).toBe(200);
    await log.close();
  });

  it('starts a new file after rotation when reopened', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-'));
    const file = path.join(dir, 'audit.jsonl');
    const log = new FileAuditLog(file);
    await log.append(record(1));
    renameSync(file, path.join(dir, 'audit.jsonl.1'));
    await log.reopen();
    await log.append(record(2));
    expect(readFileSync(path.join(dir, 'audit.jsonl.1'), 'utf8')).toContain('"HV1"');
    expect(readFileSync(file, 'utf8')).toContain('"HV2"');
    expect(readFileSync(file, 'utf8')).not.toContain('"HV1"');
    await log.close();
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startLabRelay, type LabRelay } from '../../../src/app/lab-relay.js';

// In lab mode every check is judged at the scenario's `now`; a scenario switch in the console
// moves that instant with it, so the next check is judged at the new scenario's `now`.

let lab: LabRelay | undefined;
afterEach(async () => {
  await lab?.relay.close();
  lab = undefined;
});

it('the scenario clock is the current scenario\'s now, and follows a switch', async () => {
  lab = await startLabRelay('lab/default.yaml', path.join(mkdtempSync(path.join(tmpdir(), 'lab-clock-')), 'audit.jsonl'));
  expect(lab.scenarioClock.now().toISOString()).toBe('2026-11-20T09:00:00.000Z');
  await lab.select('lab/ad-export-mixed-case.yaml');
  expect(lab.scenarioClock.now().toISOString()).toBe('2026-11-30T07:40:00.000Z');
  await lab.select('lab/healthy.yaml');
  expect(lab.scenarioClock.now().toISOString()).toBe('2026-11-20T09:00:00.000Z');
});

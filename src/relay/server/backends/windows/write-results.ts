import { z } from 'zod';
import { RelayError, type OpParams, type OpResult } from '../../../protocol.js';
import { psAuthenticationType, psList, psSingle, parseData } from './ps-values.js';
import { rawEvent, toHostEvent } from './read-results.js';

// What the write wrappers of the HvLmFix role return (through Invoke-Command, so PSComputerName,
// RunspaceId and PSShowComputerName ride along and are ignored), and the protocol results.


const purge = psSingle(z.object({ Purged: z.boolean(), ExitCode: z.number().int() }));
const setAuth = psSingle(z.object({ Before: psAuthenticationType, After: psAuthenticationType, Changed: z.boolean() }));
const testMigration = psSingle(
  z.object({ Succeeded: z.boolean(), DurationMs: z.number().min(0), Message: z.string().nullable(), Events: psList(rawEvent) }),
);

export function purgeTickets(data: unknown): OpResult<'host.purge-tickets'> {
  return { purged: parseData(purge, data, 'host.purge-tickets').Purged };
}

/** Compare-and-set: the wrapper changes nothing when the current value is not the expected one. */
export function setMigrationAuth(data: unknown, params: OpParams<'host.set-migration-auth'>): OpResult<'host.set-migration-auth'> {
  const r = parseData(setAuth, data, 'host.set-migration-auth');
  if (r.Before !== params.expected) {
    throw new RelayError('CONFLICT', `${params.node} uses ${r.Before} now, not the expected ${params.expected}; nothing was changed`, { current: r.Before });
  }
  if (r.After !== params.authenticationType) {
    throw new RelayError('BACKEND_ERROR', `${params.node} still reports ${r.After} after setting ${params.authenticationType}`);
  }
  return { before: r.Before, after: r.After };
}

/** The script runs the branch of `mode` alone, so the move made is the one asked for. */
export function testVmMigration(data: unknown, params: OpParams<'vm.test-migration'>): OpResult<'vm.test-migration'> {
  const r = parseData(testMigration, data, 'vm.test-migration');
  return { ...(params.mode ? { mode: params.mode } : {}), succeeded: r.Succeeded, durationMs: r.DurationMs, message: (r.Message ?? '').slice(0, 2000), events: r.Events.map(toHostEvent) };
}

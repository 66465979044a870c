import { createHash } from 'node:crypto';
import { fixedClock, type Clock } from '../core/clock.js';
import { sameHost } from '../core/node-name.js';
import type { DirectionStatus } from '../diagnostics/findings.js';
import { runCheck } from '../diagnostics/run-check.js';
import type { RelayBackend } from '../relay/backend.js';
import { InProcessRelayClient } from '../relay/in-process-client.js';
import { RelayError, type HostEvent, type OpParams, type OpResult } from '../relay/protocol.js';
import type { RelayClient } from '../relay/relay-client.js';
import type { LabState } from './lab-state.js';

// vm.test-migration in the lab: the migration works exactly when the diagnostics engine finds
// the direction ok *and* the source holds no stale Kerberos tickets (a fix only takes effect
// after a purge). A failure leaves the 21502 event a real host would log, so the next check
// sees it; a success moves the VM, so the lab's inventory stays true.

export type DirectionCheck = (relay: RelayClient, source: string, destination: string, clock: Clock) => Promise<DirectionStatus>;

const HA_LOG = 'Microsoft-Windows-Hyper-V-High-Availability-Admin';
const EVENT_WINDOW_HOURS = 72;

export async function testMigration(
  backend: RelayBackend,
  state: LabState,
  p: OpParams<'vm.test-migration'>,
  check: DirectionCheck = engineDirectionCheck,
): Promise<OpResult<'vm.test-migration'>> {
  const started = performance.now();
  if (sameHost(p.source, p.destination)) throw new RelayError('BAD_REQUEST', 'source and destination are the same host');
  const source = state.reachableHost(p.source);
  const destination = state.reachableHost(p.destination);
  const vm = source.vms.find((v) => v.name.toLowerCase() === p.vm.toLowerCase());
  if (!vm) throw new RelayError('NOT_FOUND', `${source.name} has no VM named ${p.vm}`);

  const relay = new InProcessRelayClient(backend, `lab: ${state.name}`);
  const status = await check(relay, source.name, destination.name, fixedClock(state.now));
  const durationMs = () => Math.round(performance.now() - started);
  if (status === 'ok' && !source.ticketsStale) {
    source.vms.splice(source.vms.indexOf(vm), 1);
    destination.vms.push(vm);
    return { succeeded: true, durationMs: durationMs(), message: `Live migration of '${vm.name}' from ${source.name} to ${destination.name} completed.`, events: [] };
  }
  const event = authFailureEvent(vm.name, source.name, destinationFqdn(state, destination.name), state.now.toISOString());
  source.events.push(event);
  return { succeeded: false, durationMs: durationMs(), message: `Live migration of '${vm.name}' from ${source.name} to ${destination.name} failed (0x8009030E).`, events: [event] };
}

/** The default check: the whole runbook for the pair, read through this same lab. */
async function engineDirectionCheck(relay: RelayClient, source: string, destination: string, clock: Clock): Promise<DirectionStatus> {
  const { diagnosis } = await runCheck(relay, [source, destination], { clock, eventWindowHours: EVENT_WINDOW_HOURS });
  const direction = diagnosis.directions.find((d) => sameHost(d.from, source) && sameHost(d.to, destination));
  return direction?.status ?? 'unknown';
}

function destinationFqdn(state: LabState, name: string): string {
  return state.findComputer(name)?.dnsHostName ?? `${name.toLowerCase()}.${state.domain.fqdn}`;
}

/** Event 21502 as Hyper-V logs it when the source cannot get a ticket for the destination. */
export function authFailureEvent(vm: string, source: string, destinationFqdn: string, time: string): HostEvent {
  const id = vmId(vm);
  return {
    log: HA_LOG,
    id: 21502,
    time,
    message:
      `Live migration of 'Virtual Machine ${vm}' failed.\n\n` +
      `Virtual machine migration operation for '${vm}' failed at migration source '${source}'. (Virtual machine ID ${id})\n\n` +
      `The Virtual Machine Management Service failed to establish a connection for a Virtual Machine migration with host '${destinationFqdn}': ` +
      `No credentials are available in the security package (0x8009030E).\n\n` +
      `The Virtual Machine Management Service failed to authenticate the connection for a Virtual Machine migration at the source host: ` +
      `No credentials are available in the security package (0x8009030E).`,
  };
}

/** A stable, GUID-shaped VM id, so repeated runs log the same id for the same VM. */
function vmId(vm: string): string {
  const h = createHash('sha1').update(vm).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

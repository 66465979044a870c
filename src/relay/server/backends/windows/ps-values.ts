import { z } from 'zod';
import { RelayError, type AuthenticationType } from '../../../protocol.js';

// zod readers for what `ConvertTo-Json -Compress` really writes, quirks included. Each accepts
// the documented forms and rejects everything else, so a surprise becomes BAD_RESPONSE rather
// than a guess.

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Pipeline output as a list. PowerShell writes an empty pipeline as null and a one-element one
 * as the element itself; Windows PowerShell 5.1 writes a PSObject-wrapped array as
 * {"value":[...],"Count":n}.
 */
export function psList<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => {
    if (v === null || v === undefined) return [];
    if (Array.isArray(v)) return v;
    if (isRecord(v) && Array.isArray(v.value) && typeof v.Count === 'number' && Object.keys(v).length === 2) return v.value;
    return [v];
  }, z.array(item));
}

/** Exactly one object: the object itself, or a list holding exactly one. */
export function psSingle<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => (Array.isArray(v) && v.length === 1 ? v[0] : v), item);
}

/** Numbers of a CIM array property: an array, a lone number, or null for none. */
export const psNumberList = z.preprocess((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.number().int()));

const MS_AJAX_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A point in time as an ISO string (UTC). Windows PowerShell writes "\/Date(<ms since epoch,
 * UTC>)\/" (JSON.parse turns "\/" into "/"); PowerShell 7 writes ISO 8601 with up to seven
 * fractional digits. An ISO time without a zone (DateTimeKind Unspecified) is rejected: which
 * clock it is on cannot be known.
 */
export const psDateTime = z.string().transform((value, ctx) => {
  const ajax = MS_AJAX_DATE.exec(value);
  if (ajax) return new Date(Number(ajax[1])).toISOString();
  if (ISO_WITH_ZONE.test(value)) {
    const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  ctx.addIssue({ code: 'custom', message: `not a PowerShell date with a time zone: ${value.slice(0, 40)}` });
  return z.NEVER;
});

const QFE_US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const QFE_ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const QFE_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const QFE_FILETIME = /^[0-9a-fA-F]{16}$/;
const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000;

function isoDay(y: number, m: number, d: number): string | undefined {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

/**
 * Win32_QuickFixEngineering.InstalledOn is a string: usually M/d/yyyy, on some systems yyyymmdd
 * or a 64-bit FILETIME in hex; often empty. host-hotfixes.ps1 sends yyyy-MM-dd where PowerShell's
 * type data parsed it into a date. Gives YYYY-MM-DD or null.
 */
export const qfeDate = z.union([z.string(), z.null()]).transform((value, ctx) => {
  if (value === null || value.trim() === '') return null;
  let day: string | undefined;
  const us = QFE_US_DATE.exec(value);
  const compact = QFE_COMPACT.exec(value);
  const iso = QFE_ISO_DAY.exec(value);
  if (us) day = isoDay(Number(us[3]), Number(us[1]), Number(us[2]));
  else if (iso) day = isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  else if (compact) day = isoDay(Number(compact[1]), Number(compact[2]), Number(compact[3]));
  else if (QFE_FILETIME.test(value)) {
    const ms = Number(BigInt(`0x${value}`) / 10_000n) - FILETIME_EPOCH_OFFSET_MS;
    if (ms > 0) day = new Date(ms).toISOString().slice(0, 10);
  }
  if (day) return day;
  ctx.addIssue({ code: 'custom', message: `not a QFE InstalledOn date: ${value.slice(0, 40)}` });
  return z.NEVER;
});

/**
 * An enum as it may come back: a number, a name, or (an enum inside an object built on the node,
 * deserialized by remoting, then written by ConvertTo-Json) {"value": <number>, "Value": <name>}.
 */
const psEnum = z.preprocess((v) => (isRecord(v) && typeof v.Value === 'string' && typeof v.value === 'number' ? v.Value : v), z.union([z.number(), z.string()]));

/** MigrationAuthenticationType: 0 = CredSSP, 1 = Kerberos; the name when the enum went as text. */
export const psAuthenticationType = psEnum.transform((value, ctx): AuthenticationType => {
  if (value === 0 || (typeof value === 'string' && value.toLowerCase() === 'credssp')) return 'CredSSP';
  if (value === 1 || (typeof value === 'string' && value.toLowerCase() === 'kerberos')) return 'Kerberos';
  ctx.addIssue({ code: 'custom', message: `unknown migration authentication type: ${String(value).slice(0, 20)}` });
  return z.NEVER;
});

/** Microsoft.HyperV.PowerShell.VMState, as written by number when the enum was not stringified. */
const VM_STATES: Record<number, string> = {
  1: 'Other', 2: 'Running', 3: 'Off', 4: 'Stopping', 6: 'Saved', 9: 'Paused', 10: 'Starting', 11: 'Reset',
  32773: 'Saving', 32776: 'Pausing', 32777: 'Resuming', 32779: 'FastSaved', 32780: 'FastSaving',
  32781: 'ForceShutdown', 32782: 'ForceReboot', 32783: 'Hibernated', 32784: 'ComponentServicing',
  32785: 'RunningCritical', 32786: 'OffCritical', 32787: 'StoppingCritical', 32788: 'SavedCritical',
  32789: 'PausedCritical', 32790: 'StartingCritical', 32791: 'ResetCritical', 32792: 'SavingCritical',
  32793: 'PausingCritical', 32794: 'ResumingCritical', 32795: 'FastSavedCritical', 32796: 'FastSavingCritical',
};
const VM_STATE_NAMES = new Set(Object.values(VM_STATES));

export const psVmState = psEnum.transform((value, ctx) => {
  const name = typeof value === 'number' ? VM_STATES[value] : VM_STATE_NAMES.has(value) ? value : undefined;
  if (name) return name;
  ctx.addIssue({ code: 'custom', message: `unknown VM state: ${String(value).slice(0, 20)}` });
  return z.NEVER;
});

/** Parses a script's data with a schema above; any mismatch is BAD_RESPONSE naming the field. */
export function parseData<T extends z.ZodType>(schema: T, data: unknown, op: string): z.output<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RelayError('BAD_RESPONSE', `PowerShell answered ${op} with unexpected data (${issue?.path.join('.') || 'data'}: ${issue?.message})`);
  }
  return parsed.data;
}

import type { Finding } from '../diagnostics/findings.js';

// A finding's evidence in a message, as facts a person reads ("HV01 may delegate to: …
// (missing: the FQDN form for HV03)"), not JSON. Each line is bounded; "Show evidence" attaches
// the whole evidence as JSON, the exact values the finding rests on.

const MAX_LINE = 300;
const MIGRATION_SERVICE = 'microsoft virtual system migration service';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** SPNs grouped by service: "migration service on HV02, hv02.lab.test; cifs on HV02". */
export function spnListText(spns: string[]): string {
  if (spns.length === 0) return 'nothing';
  const byService = new Map<string, string[]>();
  for (const spn of spns) {
    const slash = spn.indexOf('/');
    const service = slash > 0 ? spn.slice(0, slash) : spn;
    const label = service.toLowerCase() === MIGRATION_SERVICE ? 'migration service' : service;
    byService.set(label, [...(byService.get(label) ?? []), slash > 0 ? spn.slice(slash + 1) : '']);
  }
  return [...byService].map(([service, hosts]) => `${service} on ${hosts.filter(Boolean).join(', ') || '(no host)'}`).join('; ');
}

function bounded(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 40)}… (Show evidence has the rest)` : text;
}

/** A value in words: numbers with hex as hex, lists joined, small objects as "key value". */
function valueText(v: unknown): string {
  if (v === null || v === undefined) return 'not set';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.map(valueText).join(', ');
  if (isRecord(v)) {
    if (typeof v.hex === 'string') return v.hex;
    if ('id' in v && 'time' in v) return `event ${valueText(v.id)} at ${valueText(v.time)}${typeof v.loggedOn === 'string' ? ` on ${v.loggedOn}` : ''}`;
    return Object.entries(v).map(([k, x]) => `${k} ${valueText(x)}`).join(', ');
  }
  return String(v);
}

const HANDLED = new Set(['allowedToDelegateTo', 'missing', 'missingSpns', 'destinationFqdnSource']);

/** "could not read host.security, host.dns (HOST_UNREACHABLE: …)", one line per distinct error. */
function failedReadsText(reads: unknown[]): string[] {
  const byError = new Map<string, string[]>();
  for (const r of reads.filter(isRecord)) {
    const why = `${valueText(r.code)}: ${valueText(r.message)}`;
    byError.set(why, [...(byError.get(why) ?? []), valueText(r.read)]);
  }
  return [...byError].map(([why, names]) => `could not read ${names.join(', ')} (${why})`);
}

/** The evidence of one finding, one fact per line. */
export function evidenceFacts(f: Finding): string[] {
  const e = f.evidence;
  const lines: string[] = [];
  if (Array.isArray(e.allowedToDelegateTo)) {
    const list = e.allowedToDelegateTo.filter((x): x is string => typeof x === 'string');
    const forms = Array.isArray(e.missing) ? e.missing.filter((x): x is string => typeof x === 'string') : [];
    const missing = forms.length && f.peer ? ` (missing: the ${forms.join(' and ')} form${forms.length > 1 ? 's' : ''} for ${f.peer})` : '';
    const spns = !forms.length && Array.isArray(e.missingSpns) ? ` (missing: ${spnListText(e.missingSpns.filter((x): x is string => typeof x === 'string'))})` : '';
    lines.push(`${f.node ?? 'it'} may delegate to: ${spnListText(list)}${missing}${spns}`);
  }
  // Facts that stand alone get their own line; the small ones share one line.
  const small: string[] = [];
  for (const [key, value] of Object.entries(e)) {
    if (HANDLED.has(key) && lines.length) continue;
    if (key === 'failedReads' && Array.isArray(value)) lines.push(...failedReadsText(value));
    else if (key === 'duplicates' && Array.isArray(value)) lines.push(...value.filter(isRecord).map((d) => `${valueText(d.spn)} is registered on: ${valueText(d.accounts)}`));
    else if (Array.isArray(value) && value.length > 3 && value.every(isRecord)) small.push(`${key} (${value.length}): ${value.slice(0, 3).map(valueText).join('; ')}; …`);
    else small.push(`${key}: ${valueText(value)}`);
  }
  if (small.length) lines.push(small.join('; '));
  return lines.map(bounded);
}

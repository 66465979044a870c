// What the double answers for one validated command: the JSON line our script would print on a
// real relay, built from the fixture (a tiny scenario of hosts), with PowerShell's own quirks:
// a one-element pipeline written as the object itself and an empty one as null, dates written
// "\/Date(ms)\/" (Windows PowerShell) or ISO with seven fractional digits (PowerShell 7), enums
// as numbers, and the PSComputerName/RunspaceId/PSShowComputerName that Invoke-Command adds.

const HA_LOG = 'Microsoft-Windows-Hyper-V-High-Availability-Admin';

/** ConvertTo-Json of pipeline output collected into a variable. */
function pipeline(list) {
  if (!list || list.length === 0) return null;
  return list.length === 1 ? list[0] : list;
}

function findHost(fixture, name) {
  const wanted = String(name).toLowerCase();
  for (const [key, host] of Object.entries(fixture.hosts ?? {})) {
    const short = key.toLowerCase();
    const fqdn = String(host.fqdn ?? '').toLowerCase();
    if (wanted === short || wanted === fqdn || wanted.split('.')[0] === short) return { key, host };
  }
  return undefined;
}

function remoting(hostKey) {
  return { PSComputerName: hostKey, RunspaceId: '3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60', PSShowComputerName: true };
}

/** A fixture time: {hoursAgo} is rendered in the host's date style; a string is sent as written. */
function eventTime(value, style, now) {
  if (typeof value === 'object' && value !== null) {
    const ms = now - value.hoursAgo * 3_600_000;
    return { ms, text: style === 'iso' ? new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z') : `/Date(${ms})/` };
  }
  const ajax = /^\/Date\((-?\d+)/.exec(value);
  return { ms: ajax ? Number(ajax[1]) : /(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN, text: value };
}

function renderEvents(events, style, now, sinceHours) {
  const out = [];
  for (const e of events ?? []) {
    const t = eventTime(e.TimeCreated, style, now);
    if (!Number.isNaN(t.ms) && sinceHours !== undefined && t.ms < now - sinceHours * 3_600_000) continue;
    out.push({ LogName: e.LogName ?? HA_LOG, Id: e.Id, TimeCreated: t.text, Message: e.Message ?? null });
  }
  return out;
}

function unreachable(name, kind) {
  if (kind === 'access-denied') {
    return { ok: false, errorType: 'System.Management.Automation.Remoting.PSRemotingTransportException', errorId: 'AccessDenied,PSSessionStateBroken', message: `Connecting to remote server ${name} failed with the following error message : Access is denied. For more information, see the about_Remote_Troubleshooting Help topic.` };
  }
  if (kind === 'command-not-found') {
    return { ok: false, errorType: 'System.Management.Automation.RemoteException', errorId: 'CommandNotFoundException', message: "The term 'Get-VMHost' is not recognized as the name of a cmdlet, function, script file, or operable program." };
  }
  return { ok: false, errorType: 'System.Management.Automation.Remoting.PSRemotingTransportException', errorId: 'ComputerNotFound,PSSessionStateBroken', message: `Connecting to remote server ${name} failed with the following error message : WinRM cannot process the request. The following error occurred while using Kerberos authentication: Cannot find the computer ${name}.` };
}

const AUTH_NAMES = ['CredSSP', 'Kerberos'];
const authName = (v) => (typeof v === 'number' ? AUTH_NAMES[v] : v);

const DATA = {
  'host.migration-settings': (h) => h.vmHost,
  'host.security': (h) => ({ OperatingSystem: h.os, DeviceGuard: h.deviceGuard, TimeStatus: h.timeStatus }),
  'host.events': (h, p, ctx) => pipeline(renderEvents(h.events, ctx.style, ctx.now, p.sinceHours)),
  'host.hotfixes': (h) => pipeline(h.hotfixes),
  'host.dns': (h, p) =>
    pipeline(
      p.names.map((n) => {
        const a = h.dns?.[n.toLowerCase()] ?? h.dns?.[n] ?? {};
        return { Query: n, Addresses: a.IPAddress ? [a.IPAddress] : [], NameHost: a.NameHost ?? null };
      }),
    ),
  'host.vms': (h) => pipeline(h.vms),
  'host.purge-tickets': (h, _p, ctx) => ({ Purged: true, ExitCode: 0, ...h.purge, ...remoting(ctx.key) }),
  'host.set-migration-auth': (h, p, ctx) => {
    const current = h.vmHost?.VirtualMachineMigrationAuthenticationType;
    const matches = authName(current) === p.expected;
    const after = matches ? AUTH_NAMES.indexOf(p.authenticationType) : current;
    return { Before: current, After: after, Changed: matches && authName(current) !== p.authenticationType, ...remoting(ctx.key) };
  },
  // Get-HvLmEvidence: each part as its single read's data, in one JSON text made "on the node".
  'host.evidence': (h, p, ctx) =>
    JSON.stringify(
      Object.fromEntries(
        [
          ['migration', 'host.migration-settings'],
          ['security', 'host.security'],
          ['events', 'host.events'],
          ['hotfixes', 'host.hotfixes'],
          ['dns', 'host.dns'],
          ['vms', 'host.vms'],
        ].map(([part, op]) => [part, { ok: true, data: op === 'host.dns' && p.names.length === 0 ? [] : DATA[op](h, p, ctx) }]),
      ),
    ),
  'vm.test-migration': (h, p, ctx) => {
    const t = h.testMigrations?.[p.vm] ?? { Succeeded: false, DurationMs: 0, Message: `No VM named '${p.vm}' on ${ctx.key}.`, Events: [] };
    return { ...t, Events: renderEvents(t.Events, ctx.style, ctx.now), ...remoting(ctx.key) };
  },
};

/**
 * The answer for one command: { stdout } (a JSON line), or { stderr }, { crash: true } or
 * { hang: true } when the fixture says the host does that.
 */
export function answer(fixture, op, params, now = Date.now()) {
  const target = params.node ?? params.source ?? params.cluster;
  if (op === 'cluster.nodes') {
    const nodes = Object.entries(fixture.clusters ?? {}).find(([k]) => k.toLowerCase() === String(target).toLowerCase());
    return { stdout: render({ ok: true, data: nodes ? pipeline(nodes[1]) : null }, nodes ? undefined : unreachable(target)) };
  }
  const found = findHost(fixture, target);
  if (!found) return { stdout: render(unreachable(target)) };
  const { key, host } = found;
  if (host.failure === 'crash') return { crash: true };
  if (host.failure === 'hang') return { hang: true };
  if (host.failure === 'stderr') return { stderr: `Invoke-Command: A parameter cannot be found that matches parameter name 'Bogus'.` };
  if (host.failure) return { stdout: render(unreachable(target, host.failure)) };
  if (host.raw?.[op] !== undefined) return { stdout: host.raw[op] };
  const data = DATA[op](host, params, { key, now, style: host.dateStyle ?? fixture.dateStyle ?? 'msajax' });
  return { stdout: render({ ok: true, data }) };
}

/** ConvertTo-Json -Compress; Windows PowerShell escapes the slashes of "\/Date(...)\/". */
function render(envelope, override) {
  return JSON.stringify(override ?? envelope).replace(/"\/Date\((-?\d+)\)\/"/g, '"\\/Date($1)\\/"');
}

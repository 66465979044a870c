import { classifyEvent, isLmFailure, namedHost, type ClassifiedEvent, type EventClass } from '../classify-event.js';
import type { Evidence } from '../evidence.js';
import { factsOf, sameName, type NodeFacts } from '../facts.js';
import { shortName } from '../../kernel/node-name.js';
import type { Finding } from '../findings.js';
import { finding } from '../make-finding.js';

// docs/domain.md "Events and HRESULT classes": live-migration failure events in the window,
// grouped per node by what they point at. Authentication events are evidence only (they show
// that something failed, never which direction). A logon-right failure (0x80070569 / 0x8007052F,
// KB4558514, KB2779204) is a cause of its own: the destination's user-rights policy refuses the
// VM worker process, whatever delegation says, so it is LOGON_RIGHT_MISSING on that node and it
// blocks the moves into it. DNS and network classes point away from delegation.

const MAX_EVENTS_IN_EVIDENCE = 20;

export type NodeEvent = ClassifiedEvent & { node: string };

/** LM failure events of every node inside the evidence window (and since `eventsSince`), oldest first. */
export function failureEvents(evidence: Evidence): NodeEvent[] {
  const windowStart = Date.parse(evidence.collectedAt) - evidence.eventWindowHours * 3_600_000;
  const since = evidence.eventsSince ? Math.max(windowStart, Date.parse(evidence.eventsSince)) : windowStart;
  return factsOf(evidence)
    .nodes.flatMap((n) => (n.events ?? []).filter((e) => isLmFailure(e) && Date.parse(e.time) >= since).map((e) => ({ ...classifyEvent(e), node: n.node })))
    .sort((a, b) => Date.parse(a.event.time) - Date.parse(b.event.time));
}

const OTHER: ReadonlySet<EventClass> = new Set(['dns', 'network', 'other']);

/** What a non-authentication class tells the person (KB4558514), so nobody reaches for delegation. */
const HINTS: Partial<Record<EventClass, string>> = {
  dns: 'a wrong principal points at DNS or, for a cross-cluster move, the live-migration network order, not at delegation',
  network: 'a network failure: check that TCP 6600 (and 3343 in a cluster) is listening and reachable, and the firewall and antivirus, not delegation',
};

export function checkEvents(evidence: Evidence): Finding[] {
  const all = failureEvents(evidence);
  const nodes = factsOf(evidence).nodes;
  return [
    ...nodes.flatMap((n) => {
      const mine = all.filter((e) => e.node === n.node);
      return [
        ...group(n, mine.filter((e) => e.class === 'auth'), 'auth', evidence.eventWindowHours),
        ...group(n, mine.filter((e) => OTHER.has(e.class)), 'other', evidence.eventWindowHours),
      ];
    }),
    ...logonRights(nodes, all.filter((e) => e.class === 'logon-right'), evidence.eventWindowHours),
  ];
}

function group(n: NodeFacts, events: ClassifiedEvent[], cls: 'auth' | 'other', hours: number): Finding[] {
  const first = events[0];
  if (!first) return [];
  const count = events.length === 1 ? '1 live-migration failure' : `${events.length} live-migration failures`;
  const what = cls === 'auth' ? 'point at authentication' : 'have a cause other than authentication';
  const verb = events.length === 1 ? what.replace(/^point/, 'points').replace(/^have/, 'has') : what;
  const classes = [...new Set(events.map((e) => e.class))];
  const hints = classes.flatMap((c) => (HINTS[c] ? [HINTS[c]] : []));
  const message = `${n.node}: ${count} in the last ${hours} h ${verb} (first ${first.event.time}: event ${first.event.id}, ${first.reason})${hints.length ? `; ${hints.join('; ')}` : ''}`;
  const evidence = {
    count: events.length,
    windowHours: hours,
    ...(cls === 'other' ? { classes } : {}),
    events: events.slice(0, MAX_EVENTS_IN_EVIDENCE).map((e) => ({ ...e.event, hresults: e.hresults, reason: e.reason, class: e.class })),
  };
  return [
    cls === 'auth'
      ? finding('LM_AUTH_FAILURE_EVENT', 'error', message, evidence, { node: n.node })
      : finding('LM_FAILURE_EVENT_OTHER', 'warning', message, evidence, { node: n.node }),
  ];
}

/**
 * The node whose policy refused the logon: the destination the text names when it is one of the
 * checked nodes (a 21502 logged on the source names it), else the node that logged the event.
 */
function refusingNode(nodes: NodeFacts[], e: NodeEvent): { node: string; from: 'event text' | 'logged on' } {
  const named = namedHost(e.event, 'destination');
  const match = named ? nodes.find((n) => sameName(n.node) === sameName(named) || n.short === shortName(named) || (n.fqdn && sameName(n.fqdn) === sameName(named))) : undefined;
  return match ? { node: match.node, from: 'event text' } : { node: e.node, from: 'logged on' };
}

function logonRights(nodes: NodeFacts[], events: NodeEvent[], hours: number): Finding[] {
  const byNode = new Map<string, Array<NodeEvent & { from: string }>>();
  for (const e of events) {
    const { node, from } = refusingNode(nodes, e);
    byNode.set(node, [...(byNode.get(node) ?? []), { ...e, from }]);
  }
  return nodes.flatMap((n) => {
    const mine = byNode.get(n.node);
    const first = mine?.[0];
    if (!mine || !first) return [];
    const count = mine.length === 1 ? '1 live-migration failure' : `${mine.length} live-migration failures`;
    const message =
      `${n.node}: ${count} in the last ${hours} h because the logon type was refused (first ${first.event.time}: event ${first.event.id}, ${first.reason}): ` +
      `the user-rights policy on ${n.node} does not grant "Log on as a service" (SeServiceLogonRight) to NT VIRTUAL MACHINE\\Virtual Machines, usually a hardening GPO. ` +
      `This is not a delegation problem; check with "gpresult /h" and "secedit /export /areas USER_RIGHTS" on ${n.node}`;
    const evidence = {
      count: mine.length,
      windowHours: hours,
      right: 'SeServiceLogonRight',
      account: 'NT VIRTUAL MACHINE\\Virtual Machines',
      events: mine.slice(0, MAX_EVENTS_IN_EVIDENCE).map((e) => ({ ...e.event, loggedOn: e.node, nodeFrom: e.from, hresults: e.hresults, reason: e.reason })),
    };
    return [finding('LOGON_RIGHT_MISSING', 'error', message, evidence, { node: n.node })];
  });
}

import { classifyEvent, isLmFailure, type ClassifiedEvent } from '../classify-event.js';
import type { Evidence } from '../evidence.js';
import { factsOf, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { finding } from '../make-finding.js';

// DOMAIN.md §2: live-migration failure events in the window, grouped per node by what they
// point at. Evidence only: they show that something failed and hint why, never which direction.

const MAX_EVENTS_IN_EVIDENCE = 20;

/** LM failure events of every node inside the evidence window, oldest first. */
export function failureEvents(evidence: Evidence): Array<ClassifiedEvent & { node: string }> {
  const since = Date.parse(evidence.collectedAt) - evidence.eventWindowHours * 3_600_000;
  return factsOf(evidence)
    .nodes.flatMap((n) => (n.events ?? []).filter((e) => isLmFailure(e) && Date.parse(e.time) >= since).map((e) => ({ ...classifyEvent(e), node: n.node })))
    .sort((a, b) => Date.parse(a.event.time) - Date.parse(b.event.time));
}

export function checkEvents(evidence: Evidence): Finding[] {
  const all = failureEvents(evidence);
  return factsOf(evidence).nodes.flatMap((n) => {
    const mine = all.filter((e) => e.node === n.node);
    return [
      ...group(n, mine.filter((e) => e.class === 'auth'), 'auth', evidence.eventWindowHours),
      ...group(n, mine.filter((e) => e.class === 'other'), 'other', evidence.eventWindowHours),
    ];
  });
}

function group(n: NodeFacts, events: ClassifiedEvent[], cls: 'auth' | 'other', hours: number): Finding[] {
  const first = events[0];
  if (!first) return [];
  const count = events.length === 1 ? '1 live-migration failure' : `${events.length} live-migration failures`;
  const what = cls === 'auth' ? 'point at authentication' : 'have a cause other than authentication';
  const verb = events.length === 1 ? what.replace(/^point/, 'points').replace(/^have/, 'has') : what;
  const message = `${n.node}: ${count} in the last ${hours} h ${verb} (first ${first.event.time}: event ${first.event.id}, ${first.reason})`;
  const evidence = {
    count: events.length,
    windowHours: hours,
    events: events.slice(0, MAX_EVENTS_IN_EVIDENCE).map((e) => ({ ...e.event, hresults: e.hresults, reason: e.reason })),
  };
  return [
    cls === 'auth'
      ? finding('LM_AUTH_FAILURE_EVENT', 'error', message, evidence, { node: n.node })
      : finding('LM_FAILURE_EVENT_OTHER', 'warning', message, evidence, { node: n.node }),
  ];
}

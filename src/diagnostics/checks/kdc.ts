import { MIGRATION_SERVICE } from '../../relay/protocol.js';
import type { Evidence } from '../evidence.js';
import { factsOf, peersOf, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { arrow, finding, listText } from '../make-finding.js';
import { kdcEventsOf, principalNames, textNames, type DcEvent } from './dc-facts.js';

// docs/domain.md "Evidence from the domain controllers": what the KDC itself logged. A 4769
// failure 0xD (KDC_ERR_BADOPTION) whose account is node S and whose service is a peer D's
// migration or cifs service is the KDC refusing S's S4U2proxy to D: the direction S → D is
// blocked whatever the directory says. KDC events 14/16/26/27 (and 4768/4769 failure 0xE,
// KDC_ERR_ETYPE_NOSUPP) naming a node: no common encryption type. Event 11: a duplicate SPN.

const MAX_EVENTS = 20;
const DELEGATED_CLASSES = [MIGRATION_SERVICE, 'cifs'];
const ETYPE_SYSTEM_IDS = new Set([14, 16, 26, 27]);

const statusIs = (e: DcEvent, code: string) => e.status !== null && e.status.toLowerCase() === code.toLowerCase();
const brief = (e: DcEvent) => ({ dc: e.dc, log: e.log, id: e.id, time: e.time, status: e.status, account: e.account, service: e.service, transmittedServices: e.transmittedServices, message: e.message });

export function checkKdc(evidence: Evidence): Finding[] {
  const events = kdcEventsOf(evidence);
  if (events.length === 0) return [];
  const nodes = factsOf(evidence).nodes;
  return [...delegationRefused(evidence, nodes, events), ...etypeMismatch(nodes, events), ...duplicateSpn(nodes, events)];
}

/** 4769 failures 0xD asked by S for a peer D's migration or cifs service (or D's account). */
export function refusals(s: NodeFacts, d: NodeFacts, events: DcEvent[]): DcEvent[] {
  return events.filter(
    (e) =>
      e.log === 'Security' &&
      e.id === 4769 &&
      statusIs(e, '0xD') &&
      principalNames(e.account, s) &&
      (principalNames(e.service, d, DELEGATED_CLASSES) || (e.service !== null && !e.service.includes('/') && principalNames(e.service, d))),
  );
}

function delegationRefused(evidence: Evidence, nodes: NodeFacts[], events: DcEvent[]): Finding[] {
  const facts = factsOf(evidence);
  return nodes.flatMap((s) =>
    peersOf(facts, s).flatMap((d) => {
      const mine = refusals(s, d, events);
      const first = mine[0];
      if (!first) return [];
      const dcs = [...new Set(mine.map((e) => e.dc))];
      const count = mine.length === 1 ? 'refused' : `refused ${mine.length} times`;
      const message =
        `${arrow(s.node, d.node)}: the KDC on ${listText(dcs)} ${count} ${s.node}'s delegated ticket (S4U2proxy) to ${first.service ?? d.node} ` +
        `(event 4769, failure 0xD KDC_ERR_BADOPTION, first ${first.time}): this direction is blocked by delegation as the DC sees it. ` +
        `Compare ${s.node}'s msDS-AllowedToDelegateTo on that DC with the directory (replication), and check that the account starting the move is not sensitive or in Protected Users`;
      const ev = { dcs, count: mine.length, windowHours: evidence.dcs?.windowHours ?? null, events: mine.slice(0, MAX_EVENTS).map(brief) };
      return [finding('KDC_DELEGATION_REFUSED', 'error', message, ev, { node: s.node, peer: d.node })];
    }),
  );
}

/** KDC etype events (System 14/16/26/27 naming the node, or Security failures 0xE naming it). */
export function etypeEvents(n: NodeFacts, events: DcEvent[]): DcEvent[] {
  return events.filter((e) =>
    e.log === 'System' ? ETYPE_SYSTEM_IDS.has(e.id) && textNames(e.message, n) : statusIs(e, '0xE') && (principalNames(e.account, n) || principalNames(e.service, n) || principalNames(e.service, n, DELEGATED_CLASSES.concat('HOST'))),
  );
}

function etypeMismatch(nodes: NodeFacts[], events: DcEvent[]): Finding[] {
  return nodes.flatMap((n) => {
    const mine = etypeEvents(n, events);
    const first = mine[0];
    if (!first) return [];
    const dcs = [...new Set(mine.map((e) => e.dc))];
    const what = first.log === 'System' ? `KDC event ${first.id}` : `event ${first.id} failure 0xE KDC_ERR_ETYPE_NOSUPP`;
    const message =
      `${n.node}: the KDC on ${listText(dcs)} found no encryption type it shares with ${n.node} (${what}, first ${first.time}${mine.length > 1 ? `, ${mine.length} events` : ''}): ` +
      `Kerberos to and from ${n.node} fails. Compare msDS-SupportedEncryptionTypes of ${n.node} with what the DCs allow (AES 0x18), and reset the computer password if its keys predate AES`;
    return [finding('KDC_ETYPE_MISMATCH', 'error', message, { dcs, count: mine.length, events: mine.slice(0, MAX_EVENTS).map(brief) }, { node: n.node })];
  });
}

/** Event 11 whose duplicate name is one of the node's migration, HOST or cifs SPNs. */
function duplicateSpn(nodes: NodeFacts[], events: DcEvent[]): Finding[] {
  const dup = events.filter((e) => e.log === 'System' && e.id === 11);
  return nodes.flatMap((n) => {
    const forms = [n.short, ...(n.fqdn ? [n.fqdn] : [])];
    const spns = [MIGRATION_SERVICE, 'HOST', 'cifs'].flatMap((cls) => forms.map((f) => `${cls}/${f}`.toLowerCase()));
    const mine = dup.filter((e) => {
      const text = e.message.toLowerCase();
      return spns.some((spn) => {
        const at = text.indexOf(spn);
        return at >= 0 && !/[a-z0-9.-]/.test(text.charAt(at + spn.length));
      });
    });
    const first = mine[0];
    if (!first) return [];
    const named = spns.filter((spn) => mine.some((e) => e.message.toLowerCase().includes(spn)));
    const message =
      `${n.node}: the KDC on ${listText([...new Set(mine.map((e) => e.dc))])} found ${named.length === 1 ? 'an SPN' : 'SPNs'} of ${n.node} on more than one account ` +
      `(event 11, first ${first.time}): tickets to ${n.node} fail or fall back to NTLM. Find the other account with "setspn -X" and remove the SPN from it`;
    return [finding('KDC_DUPLICATE_SPN', 'error', message, { spns: named, count: mine.length, events: mine.slice(0, MAX_EVENTS).map(brief) }, { node: n.node })];
  });
}

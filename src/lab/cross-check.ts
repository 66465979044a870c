import type { z } from 'zod';
import { nodeNameProblem } from '../kernel/node-name.js';
import type { Scenario } from './schema.js';

// Rules that span fields, checked after every field parsed on its own: names that must be
// unique, references that must exist, and an `expect` block that is at least self-consistent.
// Each problem is reported at the path of the offending value, like a field error.
type Ctx = z.RefinementCtx;
type Path = (string | number)[];

export function crossCheckScenario(s: Scenario, ctx: Ctx): void {
  const add = (path: Path, message: string) => ctx.addIssue({ code: 'custom', path, message });
  unique(s.hosts.map((h) => h.name), ['hosts'], 'host', add);
  unique(s.computers.map((c) => c.name), ['computers'], 'computer', add);
  unique(s.clusters.map((c) => c.name), ['clusters'], 'cluster', add);
  unique(s.users.map((u) => u.name), ['users'], 'user', add);

  const hosts = new Set(s.hosts.map((h) => h.name.toUpperCase()));
  const computers = new Set(s.computers.map((c) => c.name.toUpperCase()));
  s.clusters.forEach((c, i) =>
    c.nodes.forEach((n, j) => {
      if (!hosts.has(n.toUpperCase())) add(['clusters', i, 'nodes', j], `${n} is not one of the hosts`);
    }),
  );
  s.computers.forEach((c, i) =>
    c.allowedToActOnBehalfOf.forEach((n, j) => {
      if (!computers.has(n.toUpperCase())) add(['computers', i, 'allowedToActOnBehalfOf', j], `${n} is not one of the computers`);
    }),
  );
  s.hosts.forEach((h, i) => {
    for (const key of Object.keys(h.dns ?? {})) {
      const problem = nodeNameProblem(key);
      if (problem) add(['hosts', i, 'dns', key], `host name ${problem}`);
    }
    unique(h.vms.map((v) => v.name), ['hosts', i, 'vms'], 'VM', add);
  });
  if (s.expect) checkExpect(s.expect, add);
}

function checkExpect(e: NonNullable<Scenario['expect']>, add: (path: Path, message: string) => void): void {
  unique(e.nodes, ['expect', 'nodes'], 'node', add, (_, i) => ['expect', 'nodes', i]);
  e.rootCauses.forEach((code, i) => {
    if (!e.codes.includes(code)) add(['expect', 'rootCauses', i], `${code} is a root cause but not listed in expect.codes`);
  });
  if (e.verdict === 'blocked' && e.rootCauses.length === 0) add(['expect', 'rootCauses'], 'a blocked verdict needs its root causes');
  if ((e.verdict === 'healthy' || e.verdict === 'degraded') && e.rootCauses.length > 0) {
    add(['expect', 'rootCauses'], `a ${e.verdict} verdict has no root causes`);
  }
  if (e.codes.includes('INITIATOR_NOT_DELEGATABLE') && !e.initiator) {
    add(['expect', 'initiator'], 'INITIATOR_NOT_DELEGATABLE needs the initiator the check names');
  }
  const nodes = new Set(e.nodes.map((n) => n.toUpperCase()));
  (e.directions ?? []).forEach((d, i) => {
    if (!nodes.has(d.from.toUpperCase()) || !nodes.has(d.to.toUpperCase()) || d.from.toUpperCase() === d.to.toUpperCase()) {
      add(['expect', 'directions', i], `${d.from} → ${d.to} is not a direction between two of expect.nodes`);
    }
  });
}

function unique(
  names: string[],
  base: Path,
  what: string,
  add: (path: Path, message: string) => void,
  pathOf: (name: string, i: number) => Path = (_, i) => [...base, i, 'name'],
): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const key = name.toUpperCase();
    if (seen.has(key)) add(pathOf(name, i), `duplicate ${what} ${name}`);
    seen.add(key);
  });
}

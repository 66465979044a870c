import { z } from 'zod';

// The three shapes POST /v1/alerts accepts (docs/alerts.md), each validated by its own zod
// schema and reduced to one NormalizedAlert. Unknown fields are allowed (monitoring tools add
// fields between versions); the fields read here are bounded so a hostile payload cannot make
// the bot carry megabytes of labels around.

export type AlertFormat = 'alertmanager' | 'azure-monitor' | 'generic';

export interface NormalizedAlert {
  /** The tool's own id for the alert (Alertmanager group key, Azure alert id, generic fingerprint). */
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** Node names as the alert gave them (validated later, like chat input). */
  nodes: string[];
  cluster?: string;
  summary: string;
  severity?: string;
  /** Back to the alert in its own tool. */
  link?: string;
  /** The tool the generic shape says it came from (its `source` field), when it says. */
  origin?: string;
}

const text = (max: number) => z.string().max(max);
const httpUrl = z.string().max(2000).refine((u) => /^https?:\/\//i.test(u), 'expected an http(s) URL');
const labels = z.record(text(200), text(2000)).refine((r) => Object.keys(r).length <= 100, 'at most 100 labels');

// Prometheus Alertmanager webhook, version 4:
// https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
const alertmanagerSchema = z.object({
  version: z.literal('4'),
  groupKey: text(1000),
  status: z.enum(['firing', 'resolved']),
  receiver: text(200).optional(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: httpUrl.optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: labels.default({}),
        annotations: labels.default({}),
        generatorURL: z.union([httpUrl, z.literal('')]).optional(),
        fingerprint: text(200).optional(),
      }),
    )
    .min(1)
    .max(500),
});

// Azure Monitor common alert schema:
// https://learn.microsoft.com/en-us/azure/azure-monitor/alerts/alerts-common-schema
const azureSchema = z.object({
  schemaId: z.literal('azureMonitorCommonAlertSchema'),
  data: z.object({
    essentials: z.object({
      alertId: text(1000),
      alertRule: text(1000),
      severity: text(20).optional(),
      monitorCondition: z.enum(['Fired', 'Resolved']),
      alertTargetIDs: z.array(text(2000)).max(100).default([]),
      configurationItems: z.array(text(300)).max(100).default([]),
      originAlertId: text(1000).optional(),
      description: text(4000).optional(),
      investigationLink: httpUrl.optional(),
    }),
    customProperties: z.record(text(200), text(2000)).nullable().optional(),
  }),
});

// The generic shape for anything else (SCOM, Windows Event Forwarding, scripts): docs/alerts.md.
export const genericAlertSchema = z
  .object({
    nodes: z.array(text(300)).min(1).max(32).optional(),
    cluster: text(300).optional(),
    source: text(200),
    summary: text(2000),
    severity: z.enum(['critical', 'error', 'warning', 'info']).optional(),
    fingerprint: text(200).min(1),
    status: z.enum(['firing', 'resolved']).default('firing'),
    url: httpUrl.optional(),
  })
  .refine((a) => a.nodes !== undefined || a.cluster !== undefined, { message: 'name the nodes or the cluster' });

export type ParseResult = { ok: true; alerts: NormalizedAlert[] } | { ok: false; message: string };

export function parseAlertPayload(format: AlertFormat, body: unknown): ParseResult {
  const schema = format === 'alertmanager' ? alertmanagerSchema : format === 'azure-monitor' ? azureSchema : genericAlertSchema;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: `not a valid ${format} payload${issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue.message}` };
  }
  if (format === 'alertmanager') return { ok: true, alerts: [fromAlertmanager(parsed.data as z.output<typeof alertmanagerSchema>)] };
  if (format === 'azure-monitor') return { ok: true, alerts: [fromAzure(parsed.data as z.output<typeof azureSchema>)] };
  const g = parsed.data as z.output<typeof genericAlertSchema>;
  return {
    ok: true,
    alerts: [
      {
        fingerprint: g.fingerprint,
        status: g.status,
        nodes: g.nodes ?? [],
        ...(g.cluster ? { cluster: g.cluster } : {}),
        summary: g.summary,
        origin: g.source,
        ...(g.severity ? { severity: g.severity } : {}),
        ...(g.url ? { link: g.url } : {}),
      },
    ],
  };
}

/** A label that names nodes: `nodes` (comma or space separated), `node`, `hostname`, `instance` (host:port). */
function nodesOfLabels(l: Record<string, string>): string[] {
  if (l.nodes) return l.nodes.split(/[\s,]+/).filter(Boolean);
  const one = l.node ?? l.hostname ?? l.host ?? l.instance;
  return one ? [one.replace(/:\d+$/, '')] : [];
}

/**
 * One notification = one alert group: its nodes are every node its alerts name, its identity the
 * group key. Alertmanager already groups and repeats; the bot's own dedup handles the repeats.
 */
function fromAlertmanager(p: z.output<typeof alertmanagerSchema>): NormalizedAlert {
  const relevant = p.status === 'firing' ? p.alerts.filter((a) => a.status === 'firing') : p.alerts;
  const nodes = [...new Set((relevant.length ? relevant : p.alerts).flatMap((a) => nodesOfLabels({ ...p.commonLabels, ...a.labels })))];
  const first = relevant[0] ?? p.alerts[0]!;
  const cluster = p.commonLabels.cluster ?? p.groupLabels.cluster ?? first.labels.cluster;
  const summary = p.commonAnnotations.summary ?? first.annotations.summary ?? first.annotations.description ?? p.commonLabels.alertname ?? first.labels.alertname ?? 'Alertmanager alert';
  const link = first.generatorURL || p.externalURL;
  const severity = p.commonLabels.severity ?? first.labels.severity;
  return {
    fingerprint: p.groupKey,
    status: p.status,
    nodes,
    ...(cluster ? { cluster } : {}),
    summary,
    ...(severity ? { severity } : {}),
    ...(link ? { link } : {}),
  };
}

function fromAzure(p: z.output<typeof azureSchema>): NormalizedAlert {
  const e = p.data.essentials;
  const custom = p.data.customProperties ?? {};
  const fromTargets = e.alertTargetIDs.map((id) => /\/virtualmachines\/([^/]+)$/i.exec(id)?.[1] ?? /\/machines\/([^/]+)$/i.exec(id)?.[1]).filter((x): x is string => !!x);
  const nodes = custom.nodes ? custom.nodes.split(/[\s,]+/).filter(Boolean) : e.configurationItems.length ? e.configurationItems : fromTargets;
  return {
    fingerprint: e.originAlertId ?? e.alertId,
    status: e.monitorCondition === 'Fired' ? 'firing' : 'resolved',
    nodes: [...new Set(nodes)],
    ...(custom.cluster ? { cluster: custom.cluster } : {}),
    summary: e.description ? `${e.alertRule}: ${e.description}` : e.alertRule,
    ...(e.severity ? { severity: e.severity } : {}),
    ...(e.investigationLink ? { link: e.investigationLink } : {}),
  };
}

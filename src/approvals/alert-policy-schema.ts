import { z } from 'zod';
import { chatPlatformSchema } from '../kernel/platform.js';
import { nodeNameSchema } from '../kernel/node-name.js';

// The `alerts` section of the policy file (docs/alerts.md): who may post alerts (each source with
// its format and its own secret, named by environment variable so the policy file holds no
// secret), where each cluster's or node set's alerts are checked and posted, the deduplication
// window and how many alert-triggered checks may run at once. It lives with the rest of the
// policy file's schema; src/alerts reads it.

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'expected an environment variable name such as ALERTS_AM_TOKEN');

export const alertSourceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, e.g. alertmanager'),
    format: z.enum(['alertmanager', 'azure-monitor', 'generic']),
    auth: z.union([
      z.object({ bearerTokenEnv: envName }).strict(),
      z.object({ hmacSecretEnv: envName }).strict(),
    ]),
  })
  .strict();

export const alertRouteSchema = z
  .object({
    /** Alerts naming this cluster, or only nodes of it, go here. */
    cluster: nodeNameSchema.optional(),
    /** Alerts whose every node is in this list go here. Neither cluster nor nodes: every alert. */
    nodes: z.array(nodeNameSchema).min(1).max(512).optional(),
    /** migration-check: the alert's nodes (cluster health when it names fewer than two); cluster-health: the route's cluster. */
    run: z.enum(['migration-check', 'cluster-health']).default('migration-check'),
    targets: z.array(z.object({ platform: chatPlatformSchema, channelId: z.string().min(1).max(200) }).strict()).min(1).max(10),
  })
  .strict()
  .refine((r) => r.run !== 'cluster-health' || r.cluster !== undefined, { message: 'run: cluster-health needs the route\'s cluster' });

export const alertsPolicySchema = z
  .object({
    sources: z.array(alertSourceSchema).min(1),
    routes: z.array(alertRouteSchema).min(1),
    /** Deliveries of the same alert (fingerprint and node set) within this window update the first post's thread. */
    dedupMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
    /** Alert-triggered checks running at once on one replica; past it the alert gets 429 and is retried by its sender. */
    maxConcurrentRuns: z.number().int().min(1).max(64).default(4),
  })
  .strict()
  .refine((a) => new Set(a.sources.map((s) => s.name)).size === a.sources.length, { message: 'two alert sources share a name' });

export type AlertsPolicy = z.output<typeof alertsPolicySchema>;
export type AlertSource = z.output<typeof alertSourceSchema>;
export type AlertRoute = z.output<typeof alertRouteSchema>;

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { SETTINGS_BY_ENV } from '../../../src/config/settings.js';
import { loadConfig } from '../../../src/config/load.js';
import { renderKubernetesConfig } from '../../../src/config/render-kubernetes.js';

// deploy/kubernetes validated against the Kubernetes OpenAPI schemas (kubernetes-models), and held
// to what the bot needs: probes on the ops port and paths it serves, settings that exist, a grace
// period longer than the bot's own shutdown bound, a PDB that selects the pods.

const DIR = 'deploy/kubernetes';
type Doc = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

function load(file: string): Doc[] {
  return parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJS() as Doc;
  });
}
const manifests = ['configmap.yaml', 'secret.example.yaml', 'deployment.yaml', 'service.yaml', 'pdb.yaml'];
const all = manifests.flatMap((f) => load(f).map((doc) => ({ file: f, doc })));
const find = <T = Doc>(kind: string) => all.find((m) => m.doc.kind === kind)!.doc as unknown as T;

describe('deploy/kubernetes', () => {
  it('lists every manifest in the folder (none left unchecked)', () => {
    expect(readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()).toEqual([...manifests].sort());
  });

  for (const { file, doc } of all) {
    it(`${file}: ${doc.kind} ${doc.metadata.name} is valid against the Kubernetes schema`, () => {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `no schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new Model!(doc as never).validate()).not.toThrow();
    });
  }

  it('a broken manifest is caught by the same validation (the check can fail)', () => {
    const broken = structuredClone(find('Deployment')) as { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas must be integer/);
  });

  it('ConfigMap and Secret are what `npm run docs:config` generates, with real setting names', () => {
    const rendered = renderKubernetesConfig();
    expect(readFileSync(path.join(DIR, 'configmap.yaml'), 'utf8')).toBe(rendered.configMap);
    expect(readFileSync(path.join(DIR, 'secret.example.yaml'), 'utf8')).toBe(rendered.secretExample);
    const data = find<{ data: Record<string, string> }>('ConfigMap').data;
    const secret = find<{ stringData: Record<string, string> }>('Secret').stringData;
    for (const key of [...Object.keys(data), ...Object.keys(secret)]) expect(SETTINGS_BY_ENV.has(key), key).toBe(true);
    for (const key of Object.keys(secret)) expect(data).not.toHaveProperty(key);
  });

  it('the ConfigMap with a Slack token and the Secret makes a production config the bot accepts', () => {
    const data = find<{ data: Record<string, string> }>('ConfigMap').data;
    const env = { ...data, RELAY_KEY_SECRET: 'k'.repeat(64), APPROVAL_SIGNING_KEY: 'a'.repeat(64), DATABASE_URL: 'postgres://triage:pw@postgres/triage', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' };
    const config = loadConfig(env);
    expect(config.mode).toBe('production');
    expect(config.ops).toMatchObject({ enabled: true, listenHost: '0.0.0.0' });
  });

  it('the Deployment probes /healthz and /readyz on the ops port, runs as non-root, and outlasts the shutdown bound', () => {
    type Container = { envFrom: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>; ports: Array<{ name: string; containerPort: number }>; livenessProbe: { httpGet: { path: string; port: string } }; readinessProbe: { httpGet: { path: string; port: string } }; securityContext: { readOnlyRootFilesystem: boolean; allowPrivilegeEscalation: boolean } };
    const d = find<{ spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { terminationGracePeriodSeconds: number; securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Container[] } } } }>('Deployment');
    const data = find<{ data: Record<string, string> }>('ConfigMap').data;
    const c = d.spec.template.spec.containers[0]!;
    expect(d.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'ops' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'ops' });
    expect(c.ports.find((p) => p.name === 'ops')!.containerPort).toBe(Number(data.OPS_PORT));
    expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(d.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(data.SHUTDOWN_DRAIN_MS) + 5_000);
    expect(c.envFrom).toEqual([{ configMapRef: { name: find('ConfigMap').metadata.name } }, { secretRef: { name: find('Secret').metadata.name } }]);
    // The PDB and the Service select exactly these pods.
    expect(find<{ spec: { selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget').spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
    expect(find<{ spec: { selector: Record<string, string> } }>('Service').spec.selector).toEqual(d.spec.template.metadata.labels);
    expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
  });

  it('the optional ServiceMonitor scrapes /metrics through the ops Service port', () => {
    const [sm] = load('optional/servicemonitor.yaml') as Array<Doc & { spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> } }>;
    const svc = find<Doc & { spec: { ports: Array<{ name: string }> } }>('Service');
    expect(sm!.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(sm!.spec.selector.matchLabels).toEqual(svc.metadata.labels);
    expect(svc.spec.ports.map((p) => p.name)).toContain(sm!.spec.endpoints[0]!.port);
    expect(sm!.spec.endpoints[0]!.path).toBe('/metrics');
  });

  it('kustomization.yaml applies the manifests but not the Secret template', () => {
    const [k] = load('kustomization.yaml') as Array<Doc & { resources: string[] }>;
    expect(k!.resources.sort()).toEqual(manifests.filter((f) => f !== 'secret.example.yaml').sort());
  });
});

import { describe, expect, it } from 'vitest';
import { parseAlertPayload } from '../../../src/alerts/payloads.js';

// Each accepted shape reduced to the same alert: nodes, cluster, status, summary, link, identity.

describe('alert payloads', () => {
  it('Alertmanager v4: a group naming two nodes (instance labels), its group key, summary and link', () => {
    const got = parseAlertPayload('alertmanager', {
      version: '4',
      groupKey: 'g1',
      status: 'firing',
      groupLabels: {},
      commonLabels: { alertname: 'LMFailed', cluster: 'HVCLUSTER01', severity: 'critical' },
      commonAnnotations: { summary: 'Live migration failed' },
      externalURL: 'http://am.example:9093',
      alerts: [
        { status: 'firing', labels: { instance: 'hv01.lab.test:9182' }, annotations: {}, generatorURL: 'http://prom.example/graph' },
        { status: 'resolved', labels: { instance: 'HV03:9182' }, annotations: {} },
        { status: 'firing', labels: { node: 'HV02' }, annotations: {} },
      ],
    });
    expect(got).toEqual({
      ok: true,
      alerts: [{ fingerprint: 'g1', status: 'firing', nodes: ['hv01.lab.test', 'HV02'], cluster: 'HVCLUSTER01', summary: 'Live migration failed', severity: 'critical', link: 'http://prom.example/graph' }],
    });
  });

  it('Azure Monitor common alert schema: configuration items, Fired/Resolved, the investigation link', () => {
    const body = (condition: string) => ({
      schemaId: 'azureMonitorCommonAlertSchema',
      data: {
        essentials: {
          alertId: '/subscriptions/1/providers/Microsoft.AlertsManagement/alerts/abc',
          alertRule: 'LM failures',
          severity: 'Sev1',
          monitorCondition: condition,
          alertTargetIDs: ['/subscriptions/1/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/ws'],
          configurationItems: ['HV01', 'HV02'],
          description: 'Event 21502 on two nodes',
          investigationLink: 'https://portal.azure.com/#view/alert/abc',
        },
        alertContext: {},
      },
    });
    const fired = parseAlertPayload('azure-monitor', body('Fired'));
    expect(fired).toMatchObject({ ok: true, alerts: [{ status: 'firing', nodes: ['HV01', 'HV02'], summary: 'LM failures: Event 21502 on two nodes', severity: 'Sev1', link: 'https://portal.azure.com/#view/alert/abc' }] });
    expect(parseAlertPayload('azure-monitor', body('Resolved'))).toMatchObject({ ok: true, alerts: [{ status: 'resolved' }] });
  });

  it('generic JSON: nodes or cluster required, status defaults to firing', () => {
    expect(parseAlertPayload('generic', { source: 'scom', summary: 's', fingerprint: 'f', cluster: 'HVCLUSTER01' })).toMatchObject({ ok: true, alerts: [{ status: 'firing', nodes: [], cluster: 'HVCLUSTER01', summary: 's', origin: 'scom' }] });
    expect(parseAlertPayload('generic', { source: 'scom', summary: 's', fingerprint: 'f' })).toEqual({ ok: false, message: 'not a valid generic payload: name the nodes or the cluster' });
  });

  it('refuses the wrong shape, with the field that is wrong', () => {
    expect(parseAlertPayload('alertmanager', { version: '4', groupKey: 'g', status: 'firing', alerts: [] })).toMatchObject({ ok: false, message: expect.stringContaining('at alerts') });
    expect(parseAlertPayload('generic', { source: 'x', summary: 's', fingerprint: 'f', nodes: ['HV01'], url: 'javascript:alert(1)' })).toMatchObject({ ok: false, message: expect.stringContaining('http(s) URL') });
  });
});

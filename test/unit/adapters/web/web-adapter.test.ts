import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebAdapter } from '../../../../adapters/web/adapter.js';
import { renderHtml } from '../../../../adapters/web/render.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from '../../../../src/core/events.js';
import { silentLogger } from '../../../../src/core/logger.js';

const personas = [
  { id: 'olivia', label: 'Olivia (operator)' },
  { id: 'adam', label: 'Adam (approver)' },
];

describe('web console rendering', () => {
  it('escapes every piece of text, so a scenario or a node name cannot inject markup', () => {
    const html = renderHtml({ header: '<script>x</script>', verdict: { status: 'blocked', text: 'a & "b"' }, sections: [{ title: 'T', lines: ["<img src=x onerror='1'>"] }] }, 'm1');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('a &amp; &quot;b&quot;');
  });

  it('renders buttons with only the action and the opaque record id', () => {
    const html = renderHtml({ header: 'h', buttons: [{ action: 'propose-fix', label: 'Propose fix', recordId: 'cr_abc', style: 'primary' }] }, 'm1');
    expect(html).toContain('<button type="button" data-action="propose-fix" data-record="cr_abc" class="btn primary">Propose fix</button>');
  });
});

describe('web adapter over HTTP', () => {
  let adapter: WebAdapter;
  const seen: InboundEvent[] = [];
  const core: CoreHandler = {
    async handle(event: InboundEvent, a: ChatAdapter) {
      seen.push(event);
      await event.ack({ header: 'ack', verdict: { status: 'info', text: 'running' } });
      const parent = await a.post(event.conversation, { header: 'Result', verdict: { status: 'healthy', text: `ran ${event.text}` } });
      await a.update(parent, { header: 'Result', verdict: { status: 'healthy', text: 'updated' } });
    },
  };

  beforeEach(async () => {
    seen.length = 0;
    adapter = new WebAdapter({ port: 0, personas, logger: silentLogger });
    await adapter.start(core);
  });
  afterEach(async () => adapter.stop());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${adapter.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('turns a typed command into an InboundEvent from the chosen persona and shows the replies', async () => {
    const res = await post('/api/command', { persona: 'olivia', channelId: 'incident', text: '/migration-check HV01 HV02' });
    expect(res.status).toBe(202);
    await expect.poll(() => adapter.state.list('olivia').length).toBe(3);
    expect(seen[0]).toMatchObject({ kind: 'command', text: 'migration-check HV01 HV02', actor: { platform: 'web', id: 'olivia' } });
    const state = (await (await fetch(`${adapter.url}/api/state?persona=olivia`)).json()) as { messages: Array<{ html: string }> };
    expect(state.messages.map((m) => m.html).join('\n')).toContain('updated');
  });

  it('shows an ephemeral acknowledgement only to the persona who typed', async () => {
    await post('/api/command', { persona: 'olivia', channelId: 'incident', text: 'help' });
    await expect.poll(() => adapter.state.list('olivia').length).toBe(3);
    expect(adapter.state.list('olivia').some((m) => m.visibleTo === 'olivia')).toBe(true);
    expect(adapter.state.list('adam').some((m) => m.visibleTo)).toBe(false);
  });

  it('answers a 1 MB body with 413 and a reason (never a reset connection), and keeps serving', async () => {
    // Sent the way a slow client sends it: 64 KB at a time, so the server has answered long before the end.
    const { request } = await import('node:http');
    const answer = await new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
      const req = request(`${adapter.url}/api/command`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(16 * 65_536) } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      let sent = 0;
      const pump = () => {
        if (sent === 16) return req.end();
        sent += 1;
        req.write(Buffer.alloc(65_536, 0x20), () => setTimeout(pump, 5));
      };
      pump();
    });
    expect(answer).toMatchObject({ status: 413, body: expect.stringContaining('request too large') });
    expect(seen).toHaveLength(0);
    expect((await post('/api/command', { persona: 'olivia', channelId: 'incident', text: 'help' })).status).toBe(202);
  });

  it('refuses unknown personas, non-JSON posts and foreign Host headers', async () => {
    expect((await post('/api/command', { persona: 'mallory', channelId: 'incident', text: 'help' })).status).toBe(400);
    const form = await fetch(`${adapter.url}/api/command`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'text=help' });
    expect(form.status).toBe(415);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const req = request(`${adapter.url}/api/state`, { headers: { host: 'evil.example:3000' } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(421);
    expect(seen).toHaveLength(0);
  });

  it('pushes posted and updated messages to the browser over server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${adapter.url}/api/events?persona=adam`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await post('/api/command', { persona: 'olivia', channelId: 'incident', text: 'migration-check HV01 HV02' });
    let text = '';
    while (!text.includes('event: updated')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain('event: posted');
    expect(text).not.toContain('running'); // olivia's ephemeral ack never reaches adam
  });
});

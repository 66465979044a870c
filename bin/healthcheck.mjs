#!/usr/bin/env node
// The image's HEALTHCHECK: GET /healthz on the bot's ops listener (OPS_LISTEN_HOST:OPS_PORT);
// exit 0 when it answers 200 within 3 s, else 1. No curl in the image: Node is already there.
const port = process.env.OPS_PORT || '9464';
const configured = process.env.OPS_LISTEN_HOST || '127.0.0.1';
const host = configured === '0.0.0.0' || configured === '::' ? '127.0.0.1' : configured;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
  process.exit(res.status === 200 ? 0 : 1);
} catch (err) {
  process.stderr.write(`healthcheck: ${url}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

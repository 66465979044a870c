import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SETTINGS_BY_ENV } from '../../../src/config/settings.js';
import { loadConfig } from '../../../src/config/load.js';

// deploy/compose.yaml: two bot replicas on PostgreSQL and a TLS lab relay. No container engine
// here, so the file is held to what the bot and the relay accept: real setting names, a config
// loadConfig takes in production mode, the relay key pair that matches, health checks.

type Service = { environment?: Record<string, string>; env_file?: string; depends_on?: Record<string, { condition: string }>; command?: string[]; healthcheck?: { test: string[] }; ports?: string[]; image?: string; build?: unknown };
const compose = parse(readFileSync('deploy/compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const secrets = parseDotenv(readFileSync('deploy/compose.env.example', 'utf8'));
const bots = Object.entries(compose.services).filter(([name]) => name.startsWith('bot-'));

describe('deploy/compose.yaml', () => {
  it('runs two bot replicas from the image built here, on their own ops ports', () => {
    expect(bots.map(([n]) => n)).toEqual(['bot-1', 'bot-2']);
    for (const [, bot] of bots) {
      expect(bot.build).toEqual({ context: '..' });
      expect(bot.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, relay: { condition: 'service_healthy' } });
    }
    expect(new Set(bots.map(([, b]) => b.ports![0]!.split(':')[1])).size).toBe(2);
  });

  it('uses only real settings, in the compose file and in its env example', () => {
    for (const service of Object.values(compose.services).filter((s) => s.env_file)) {
      for (const key of Object.keys(service.environment ?? {})) expect(SETTINGS_BY_ENV.has(key), key).toBe(true);
    }
    for (const key of Object.keys(secrets)) expect(SETTINGS_BY_ENV.has(key), key).toBe(true);
  });

  it('gives each bot a production config the bot accepts, signing with a key the relay holds', () => {
    const env = { ...secrets, ...bots[0]![1].environment! };
    const config = loadConfig(env);
    expect(config.mode).toBe('production');
    expect(config.store.databaseUrl).toMatch(/^postgres:\/\/.*@postgres:5432\//);
    expect(config.slack?.mode).toBe('socket');
    const relay = loadConfig({ ...secrets, ...compose.services.relay!.environment! }).relayServer;
    expect(relay.keys.get(config.relay.keyId)).toBe(config.relay.keySecret);
    expect(relay.approvalKey).toBe(config.approvals.signingKey);
    expect(relay.tlsCert).toBeDefined();
    expect(relay.listenHost).toBe('0.0.0.0');
    expect(compose.services.relay!.command).toEqual(['node', 'bin/triage-relay.mjs']);
  });

  it('has health checks on the relay and PostgreSQL that the bots wait for', () => {
    expect(compose.services.postgres!.healthcheck!.test).toContain('pg_isready');
    expect(compose.services.relay!.healthcheck!.test.join(' ')).toContain('/healthz');
  });
});

import { hostname } from 'node:os';
import { AlertIntake } from '../alerts/alert-intake.js';
import { sourceSecrets } from '../alerts/alert-auth.js';
import { startAlertServer, type AlertServer } from '../alerts/alert-server.js';
import type { CoreExtension } from '../core/context.js';
import { StoreBackedCoreStore } from '../store/core-store-adapter.js';
import type { BotPieces } from './start-bot.js';

// Alert-triggered checks in the running bot (docs/alerts.md): the listener starts with the
// adapters (only when ALERTS_PORT is set), and stops before them, letting runs in flight end.
// It adds no chat command or button: its posts carry the core's usual buttons.
export function alertsExtension(pieces: BotPieces, onStarted?: (server: AlertServer, intake: AlertIntake) => void): CoreExtension {
  const { config, policy, logger } = pieces;
  const none: CoreExtension = { name: 'alerts', register() {} };
  if (!config.alerts) return none;
  if (!policy.alerts) {
    logger.warn('ALERTS_PORT is set but the policy file has no alerts section: the alert listener is not started');
    return none;
  }
  const settings = config.alerts;
  const alerts = policy.alerts;
  // Secrets are read now, so a missing one stops the start instead of refusing every alert later.
  const sources = sourceSecrets(alerts.sources, process.env);
  const intake = new AlertIntake({
    policy: alerts,
    store: pieces.store,
    core: { relay: pieces.relay, clock: pieces.clock, store: new StoreBackedCoreStore(pieces.store), authorizer: pieces.authorizer, logger, eventWindowHours: config.eventWindowHours },
    adapters: pieces.adapters,
    owner: `${hostname()}:${process.pid}`,
  });
  let server: AlertServer | undefined;
  pieces.hooks.afterStart.push(async () => {
    server = await startAlertServer({ host: settings.listenHost, port: settings.port, ...(settings.tlsCert ? { tlsCert: settings.tlsCert } : {}), ...(settings.tlsKey ? { tlsKey: settings.tlsKey } : {}), maxBodyBytes: settings.maxBodyBytes, sources, intake, logger });
    logger.info('alert listener started', { url: server.url, sources: alerts.sources.map((s) => s.name) });
    onStarted?.(server, intake);
  });
  pieces.hooks.beforeStop.push(async () => {
    await server?.close();
    await intake.idle();
  });
  return none;
}

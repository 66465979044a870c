import type { Config } from '../../src/config/load.js';
import { TeamsAdapter, type TeamsAdapterOptions } from './adapter.js';
import { createBotAuthentication } from './auth.js';

// Entry point of the Teams adapter: build it from the typed config. Undefined when Teams is not
// configured (TEAMS_APP_ID unset).

export { TeamsAdapter } from './adapter.js';
export { renderCard, renderCards } from './render.js';
export { InMemoryConversationRefStore, type ConversationRefStore } from './conversation-ref-store.js';
// The SDK's type, re-exported so botbuilder is imported only inside adapters/teams/ (docs/teams.md).
export type { ConversationReference as TeamsConversationReference } from 'botbuilder';

export function createTeamsAdapter(config: Config, extra: Partial<Omit<TeamsAdapterOptions, 'auth' | 'appId'>> = {}): TeamsAdapter | undefined {
  if (!config.teams) return undefined;
  return new TeamsAdapter({
    auth: createBotAuthentication(config.teams, config.mode),
    appId: config.teams.appId,
    port: config.teams.port,
    ...(config.teams.tenantId ? { tenantId: config.teams.tenantId } : {}),
    // Without authentication anyone who reaches the port could make the bot post to any
    // serviceUrl they name, so an unauthenticated (lab) endpoint listens on loopback only.
    host: config.teams.appId === '' ? '127.0.0.1' : '0.0.0.0',
    ...(config.teams.publicBaseUrl ? { publicBaseUrl: config.teams.publicBaseUrl } : {}),
    ...extra,
  });
}

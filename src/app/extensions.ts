import type { CoreExtension } from '../core/context.js';
import type { BotPieces } from './start-bot.js';

// The modules that add commands and buttons to the core (approvals and fixes, schedules).
// Each is given the running pieces it needs.
export async function botExtensions(_pieces: BotPieces): Promise<CoreExtension[]> {
  return [];
}

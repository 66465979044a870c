import type { CoreExtension } from '../core/context.js';
import type { BotPieces } from './start-bot.js';
import { schedulerExtension } from './scheduler-extension.js';

// The modules that add commands and buttons to the core (approvals and fixes, schedules).
// Each is given the running pieces it needs.
export async function botExtensions(pieces: BotPieces): Promise<CoreExtension[]> {
  const extensions: CoreExtension[] = [];
  extensions.push(await schedulerExtension(pieces));
  return extensions;
}

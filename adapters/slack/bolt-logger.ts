import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger, LogLevel as BotLogLevel } from '../../src/core/logger.js';

// Bolt and the Web API client log through this bridge, so their lines land in the bot's one
// structured log (and tokens, which Bolt redacts itself, never reach it). Bolt logs several debug
// lines per request; unless the bot logs at debug they are dropped before being formatted (the
// JSON of a whole request body, per request, was measurable in the ack bench).

export function boltLogger(log: Logger, name = 'slack', botLevel: BotLogLevel = 'info'): BoltLogger {
  const debugOn = botLevel === 'debug';
  let level: LogLevel = debugOn ? LogLevel.DEBUG : LogLevel.INFO;
  let prefix = name;
  const text = (parts: unknown[]): string => parts.map(show).join(' ');
  return {
    debug: debugOn ? (...m: unknown[]) => log.debug(text(m), { component: prefix }) : () => undefined,
    info: (...m: unknown[]) => log.info(text(m), { component: prefix }),
    warn: (...m: unknown[]) => log.warn(text(m), { component: prefix }),
    error: (...m: unknown[]) => log.error(text(m), { component: prefix }),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      prefix = n;
    },
  };
}

/** One log argument as text; never throws (Bolt sometimes logs objects with cycles). */
function show(part: unknown): string {
  if (part instanceof Error) return part.message;
  if (typeof part === 'string') return part;
  try {
    return JSON.stringify(part) ?? String(part);
  } catch {
    return String(part);
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../../src/core/logger.js';

// botbuilder has no logger option: it writes to the global console (a refused token prints the
// JWT error with its stack, then the AuthenticationError with its stack). While the SDK handles
// one of our requests, console output is sent to the bot's logger instead, one line per call:
// an authentication refusal is one warn line, the JWT library's inner error a debug line.
// Outside those requests the console is untouched.

const current = new AsyncLocalStorage<Logger>();
const METHODS = ['error', 'warn', 'info', 'log', 'debug'] as const;
let installed = false;

/** Runs `fn` (a cloud.process call) with botbuilder's console output going to `logger`. */
export function withSdkConsole<T>(logger: Logger, fn: () => Promise<T>): Promise<T> {
  install();
  return current.run(logger, fn);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const method of METHODS) {
    // The one place that touches the console: to take botbuilder's output away from it.
    // eslint-disable-next-line no-console
    const original = console[method].bind(console);
    // eslint-disable-next-line no-console
    console[method] = (...args: unknown[]) => {
      const logger = current.getStore();
      if (!logger) return original(...args);
      forward(logger, method, args);
    };
  }
}

function forward(logger: Logger, method: (typeof METHODS)[number], args: unknown[]): void {
  const error = args.find((a): a is Error => a instanceof Error);
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  const text = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : safeJson(a))).join(' ');
  const fields = { component: 'botbuilder', detail: text.slice(0, 1000), ...(typeof status === 'number' ? { status } : {}) };
  if (status === 401 || status === 403) logger.warn('teams: request refused by Bot Framework authentication', fields);
  else if (error && /^(TokenExpiredError|JsonWebTokenError|NotBeforeError)$/.test(error.name)) logger.debug('teams: token check failed', fields);
  else if (method === 'error') logger.error('teams: botbuilder reported an error', fields);
  else if (method === 'warn') logger.warn('teams: botbuilder warning', fields);
  else logger.debug('teams: botbuilder says', fields);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

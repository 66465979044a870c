import type { Logger } from '../core/logger.js';

// Last line of defence for a long-running process. Every input path validates and catches on its
// own; if something still throws outside any handler (a library callback, a timer), the process
// logs it and keeps serving instead of dying silently with every replica's in-flight work.
// A storm of them (more than `maxPerMinute`) means the process is no longer sound: it logs that
// and exits with 70, so its supervisor (systemd, Kubernetes) restarts it cleanly.

export interface ProcessGuardOptions {
  maxPerMinute?: number;
  exit?: (code: number) => void;
}

export interface ProcessGuards {
  /** Failures caught so far (uncaught exceptions and unhandled rejections). */
  readonly caught: number;
  remove(): void;
}

export function installProcessGuards(log: Logger, options: ProcessGuardOptions = {}): ProcessGuards {
  const max = options.maxPerMinute ?? 20;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const recent: number[] = [];
  let caught = 0;
  const record = (kind: string, err: unknown) => {
    caught += 1;
    const now = Date.now();
    recent.push(now);
    while (recent.length > 0 && now - recent[0]! > 60_000) recent.shift();
    log.error(`${kind} outside any handler; the process keeps serving`, {
      error: err instanceof Error ? err.message : String(err),
      ...(err instanceof Error && err.stack ? { stack: err.stack.split('\n').slice(0, 6).join(' | ') } : {}),
    });
    if (recent.length > max) {
      log.error('too many uncaught failures in one minute; exiting for the supervisor to restart the process', { count: recent.length });
      exit(70);
    }
  };
  const onException = (err: Error) => record('uncaught exception', err);
  const onRejection = (reason: unknown) => record('unhandled promise rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    get caught() {
      return caught;
    },
    remove() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}

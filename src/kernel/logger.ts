import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { currentRequestId } from './request-id.js';

// The one logger of the bot and the relay: pino, one JSON line per entry on stderr (stdout is
// for what a person at a terminal reads), levels filtered before anything is formatted, child
// loggers for bound fields. Secrets are redacted by path, whatever a caller passes. A line
// written while an event is handled carries its request id (request-id.ts).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line carries `bindings` (a component, a request id, a plan id). */
  child(bindings: LogFields): Logger;
  /** False when lines of `level` are dropped, so a caller can skip formatting them. */
  isLevelEnabled(level: LogLevel): boolean;
}

const SECRET_KEYS = [
  'authorization', 'cookie', 'token', 'secret', 'password', 'signingKey', 'signingSecret', 'approvalKey', 'approval',
  'botToken', 'appToken', 'appPassword', 'clientSecret', 'privateKey', 'x-triage-signature', 'x-slack-signature',
];

const at = (prefix: string, key: string): string => (/^\w+$/.test(key) ? `${prefix}${prefix ? '.' : ''}${key}` : `${prefix}["${key}"]`);

/** Where secrets may sit in what callers log: top level, one level down, and in headers. */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => ['', '*', 'headers', '*.headers'].map((p) => at(p, k)));

export interface LoggerOptions {
  /** `service` on every line: triage-bot, triage-relay, triage. */
  name?: string;
  /** Where lines go (one JSON object per call, no newline); default stderr. */
  write?: (line: string) => void;
}

/** An expected failure logged as `error` is its message (and code), never a stack. */
function errorField(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' ? `${value.message} (${code})` : value.message;
}

export function createLogger(level: LogLevel = 'info', write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const sink = write ?? options.write;
  const destination: DestinationStream = sink
    ? { write: (s: string) => sink(s.endsWith('\n') ? s.slice(0, -1) : s) }
    : pino.destination({ dest: 2, sync: true });
  const base = pino(
    {
      level,
      base: options.name ? { service: options.name } : null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: errorField },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    destination,
  );
  return new PinoLogger(base, false);
}

class PinoLogger implements Logger {
  constructor(
    private readonly pino: Pino,
    /** A child bound with a request id does not look up the current one. */
    private readonly hasRequestId: boolean,
  ) {}

  debug(msg: string, fields?: LogFields): void {
    this.emit('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.emit('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.emit('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.emit('error', msg, fields);
  }

  child(bindings: LogFields): Logger {
    return new PinoLogger(this.pino.child(bindings), this.hasRequestId || bindings.requestId !== undefined);
  }

  isLevelEnabled(level: LogLevel): boolean {
    return this.pino.isLevelEnabled(level);
  }

  private emit(level: LogLevel, msg: string, fields: LogFields | undefined): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const requestId = this.hasRequestId ? undefined : currentRequestId();
    this.pino[level](requestId !== undefined ? { requestId, ...fields } : (fields ?? {}), msg);
  }
}

const SILENT: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => SILENT,
  isLevelEnabled: () => false,
};

export const silentLogger: Logger = SILENT;

// The logger lives in the kernel, so the relay logs the same way (docs/architecture.md); the
// bot's modules keep importing it from here.
export { createLogger, silentLogger, REDACT_PATHS, type Logger, type LogFields, type LoggerOptions, type LogLevel } from '../kernel/logger.js';

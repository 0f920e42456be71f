import pino from 'pino';
import type { LogLevel } from '../config/environment';

/** The structured logger used everywhere: JSON lines on stdout. */
export type Logger = pino.Logger;

/**
 * Creates a JSON-lines logger. Payloads are never logged at info level; every line about a request
 * carries its `requestId` field.
 */
export function createLogger(options: {
  readonly name: string;
  readonly level: LogLevel;
  /** Where the lines go (stdout by default). */
  readonly destination?: pino.DestinationStream;
}): Logger {
  const settings: pino.LoggerOptions = {
    name: options.name,
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['*.authorization', '*.headers.authorization', '*.headers["x-api-key"]', '*.credentials'],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

import { pino, type Logger } from 'pino';

/** One pino logger per process; modules take children (`logger.child({ module })`). */
export function createLogger(options: { name: string; level: string }): Logger {
  return pino({
    level: options.level,
    base: { node: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

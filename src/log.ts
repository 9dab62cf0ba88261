/**
 * Structured logs (pino). One root logger per process; modules take child loggers named for what
 * they are ("queue", "worker", "discord") so a line says where it came from.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', name = 'taleframe'): Logger {
  return pino({ name, level });
}

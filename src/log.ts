/**
 * Structured logs (pino). One root logger per process; modules take child loggers named for what
 * they are ("queue", "worker", "discord") so a line says where it came from. Tokens and API keys never
 * reach the output: known fields are redacted by path, and every written line is scrubbed of this
 * process's secrets and of anything shaped like one (src/log-secrets.ts).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { REDACTED_PATHS, secretScrubber, secretsFromEnv } from './log-secrets.js';

export type { Logger };

export interface LoggerOptions {
  /** Secret values to hide besides those found in the environment (e.g. from a loaded config). */
  secrets?: readonly string[];
  /** Where lines go (default stdout); tests capture them here. */
  destination?: { write(line: string): unknown };
}

export function createLogger(level: string = 'info', name = 'taleframe', options: LoggerOptions = {}): Logger {
  const scrub = secretScrubber([...secretsFromEnv(), ...(options.secrets ?? [])]);
  const out = options.destination ?? process.stdout;
  const destination: DestinationStream = { write: (line: string) => void out.write(scrub(line)) };
  return pino({ name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

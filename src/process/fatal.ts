/**
 * The single way a Taleframe process gives up: one sentence on stderr and a non-zero exit code.
 * People running the bot see what to fix, not a stack trace (the trace goes to the debug log).
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import { loadConfigFromEnvironment } from './env-file.js';

export function exitWithSentence(sentence: string, code = 1): never {
  process.stderr.write(`taleframe: ${sentence}\n`);
  process.exit(code);
}

/** Message of an unknown thrown value, for one-line reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A command-line tool's end after an error it did not expect: `<command> failed: <first line>` and
 * exit code 1. The stack is printed too only when LOG_LEVEL is debug or trace.
 */
export function exitWithUnexpected(command: string, error: unknown): never {
  let level = 'info';
  try {
    level = loadConfig().LOG_LEVEL;
  } catch {
    // a bad environment: keep the one line
  }
  if ((level === 'debug' || level === 'trace') && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  exitWithSentence(`${command} failed: ${messageOf(error).split('\n')[0]}`);
}

/**
 * The process's configuration, or one sentence and exit code 1 when the environment is invalid.
 * `.env` (or ENV_FILE) is read first. Every entry point (bot, worker, CLIs) starts with this.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfigFromEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) exitWithSentence(error.message);
    throw error;
  }
}

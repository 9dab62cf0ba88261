/**
 * Reads `.env` (or the file ENV_FILE names; empty = none) into the environment before the
 * configuration is validated, so `cp .env.example .env` works for `npm start` and the workers as it
 * does for docker compose. Variables already set in the environment win over the file.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../config.js';

/** Loads the env file when present; returns its path, or undefined when there was none to load. */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.ENV_FILE ?? '.env';
  if (!file || !existsSync(file)) return undefined;
  try {
    process.loadEnvFile(file);
  } catch (error) {
    // A ConfigError, so every entry point reports it as it reports a bad variable.
    throw new ConfigError(`could not read the environment file ${file} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); fix it or set ENV_FILE= to skip it.`);
  }
  return file;
}

/** The process's configuration: the env file first, then the environment, validated (throws ConfigError). */
export function loadConfigFromEnvironment(): Config {
  loadEnvFile();
  return loadConfig();
}

/**
 * Runs a Lua script by its SHA1 and loads it on NOSCRIPT, so each script crosses the network once
 * per Redis server instead of on every call.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** EVALSHA with EVAL as the fallback. All keys are derived inside the script from ARGV. */
export async function runScript(redis: Redis, script: LuaScript, args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, 0, ...args);
  } catch (error) {
    if (error instanceof Error && error.message.includes('NOSCRIPT')) return redis.eval(script.source, 0, ...args);
    throw error;
  }
}

/**
 * The planners' public surface and the one choice between them: the LLM planner when an API key or
 * base URL is configured, else the offline planner.
 */
import { llmConfigured, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { LlmPlanner } from './llm-planner.js';
import { OfflinePlanner } from './offline-planner.js';
import type { Planner } from './plan.js';

export * from './plan.js';
export { LlmPlanner, type LlmPlannerOptions } from './llm-planner.js';
export { OfflinePlanner, planOffline } from './offline-planner.js';
export { PlannerPool, type PlannerPoolOptions } from './planner-pool.js';
export { PlannerBusyError, type PlannerBusyReason } from './planner-busy-error.js';

/**
 * The planner this configuration asks for. `offline` is the offline planner to use, alone or as the
 * LLM planner's fallback: the bot passes its PlannerPool, so the CPU-heavy planner never runs on its
 * event loop; the CLI plans in-process.
 */
export function createPlanner(
  config: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'OPENAI_MODEL' | 'OPENAI_TIMEOUT_MS'>,
  logger?: Logger,
  offline: Planner = new OfflinePlanner(),
): Planner {
  if (!llmConfigured(config as Config)) return offline;
  return new LlmPlanner({
    fallback: offline,
    apiKey: config.OPENAI_API_KEY,
    baseURL: config.OPENAI_BASE_URL,
    model: config.OPENAI_MODEL,
    timeoutMs: config.OPENAI_TIMEOUT_MS,
    logger: logger?.child({ module: 'planner' }),
  });
}

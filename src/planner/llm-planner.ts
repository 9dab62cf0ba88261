/**
 * The LLM planner: asks a Chat Completions model (OpenAI or any server speaking its API, chosen by
 * OPENAI_BASE_URL) to split a passage into scenes, with structured output (response_format
 * json_schema, strict, generated from zod). The openai client retries 429 and 5xx itself with
 * bounded backoff (honouring retry-after) and enforces the timeout. An answer that is not valid JSON
 * or does not match the schema gets one repair attempt, with the validation error sent back; after
 * that, or when the model cannot be reached or refuses, the offline planner runs instead. A plan
 * always comes back, and its `planner` and `notes` say which planner ran and why.
 */
import OpenAI, { APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Logger } from '../log.js';
import { OfflinePlanner } from './offline-planner.js';
import { splitSentences } from './passage-sentences.js';
import { PLAN_LIMITS, sceneCap, type PlanInput, type PlanResult, type Planner } from './plan.js';
import { SYSTEM_PROMPT, buildUserMessage, llmPlanJsonSchema, readLlmReply, toPlannedScenes } from './llm-plan-format.js';

export interface LlmPlannerOptions {
  /** API key; a local server given by baseURL may not need one. */
  apiKey?: string;
  baseURL?: string;
  model: string;
  /** Per request, including each retry. */
  timeoutMs: number;
  /** Retries of one request on 429, 5xx, timeouts and dropped connections (openai client backoff). */
  maxRetries?: number;
  /** Runs when the LLM cannot produce a valid plan. Defaults to the offline planner. */
  fallback?: Planner;
  logger?: Logger;
}

/** Longest reply sent back to the model in a repair request. */
const MAX_ECHO_CHARS = 4000;

export class LlmPlanner implements Planner {
  readonly kind = 'llm' as const;
  private readonly client: OpenAI;
  private readonly fallback: Planner;

  constructor(private readonly options: LlmPlannerOptions) {
    this.client = new OpenAI({
      // The client insists on a key; servers such as a local llama.cpp ignore it.
      apiKey: options.apiKey ?? 'not-needed',
      baseURL: options.baseURL,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries ?? 2,
    });
    this.fallback = options.fallback ?? new OfflinePlanner();
  }

  async plan(input: PlanInput, signal?: AbortSignal): Promise<PlanResult> {
    const passage = input.passage.slice(0, PLAN_LIMITS.maxPassageChars);
    const sentences = splitSentences(passage);
    if (sentences.length === 0) return this.fallBack(input, 'the passage has no sentences, nothing to ask the LLM', signal);
    const cast = input.cast ?? {};
    const maxScenes = sceneCap(input);
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: buildUserMessage(sentences, cast, maxScenes) },
    ];
    const notes: string[] = [];
    if (passage.length < input.passage.length) notes.push(`planned the first ${PLAN_LIMITS.maxPassageChars} characters of the passage`);

    for (let attempt = 1; attempt <= 2; attempt++) {
      let content: string;
      try {
        const reply = await this.ask(messages, signal);
        if (reply.refusal) return this.fallBack(input, `the LLM refused (${reply.refusal.slice(0, 200)})`, signal, notes);
        content = reply.content;
      } catch (error) {
        if (signal?.aborted || error instanceof APIUserAbortError) throw error;
        return this.fallBack(input, `the LLM could not be reached (${describe(error)})`, signal, notes);
      }
      const read = readLlmReply(content);
      const planned = read.ok ? toPlannedScenes(read.plan, passage, sentences, cast, maxScenes) : undefined;
      if (planned && planned.scenes.length > 0) {
        if (attempt > 1) notes.push('the LLM repaired its first answer');
        return { scenes: planned.scenes, newCharacters: planned.newCharacters, planner: 'llm', notes: [...notes, ...planned.notes] };
      }
      const error = read.ok ? 'has no scenes' : read.error;
      this.options.logger?.warn({ attempt, error }, 'LLM plan rejected');
      if (attempt === 2) return this.fallBack(input, `the LLM answer was invalid twice (${error})`, signal, notes);
      notes.push(`the LLM's first answer was invalid (${error})`);
      messages.push(
        { role: 'assistant', content: content.slice(0, MAX_ECHO_CHARS) },
        { role: 'user', content: `That reply ${error}. Reply again with JSON only, matching the schema, for the same passage.` },
      );
    }
    return this.fallBack(input, 'unreachable', signal, notes);
  }

  private async ask(messages: ChatCompletionMessageParam[], signal?: AbortSignal): Promise<{ content: string; refusal?: string }> {
    const completion = await this.client.chat.completions.create(
      {
        model: this.options.model,
        messages,
        temperature: 0.4,
        response_format: { type: 'json_schema', json_schema: { name: 'scene_plan', strict: true, schema: llmPlanJsonSchema } },
      },
      { signal },
    );
    const choice = completion.choices[0];
    this.options.logger?.debug({ id: completion.id, usage: completion.usage, finish: choice?.finish_reason }, 'LLM plan reply');
    if (choice?.message.refusal) return { content: '', refusal: choice.message.refusal };
    return { content: choice?.message.content ?? '' };
  }

  private async fallBack(input: PlanInput, why: string, signal: AbortSignal | undefined, earlier: string[] = []): Promise<PlanResult> {
    this.options.logger?.warn({ why }, 'planning offline instead of with the LLM');
    const result = await this.fallback.plan(input, signal);
    return { ...result, notes: [...earlier, `${why}; used the ${result.planner} planner`, ...result.notes] };
  }
}

function describe(error: unknown): string {
  if (error instanceof APIError) return error.status ? `${error.status} ${error.constructor.name}` : error.constructor.name;
  return error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 160)}` : String(error);
}

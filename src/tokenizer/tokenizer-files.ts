/**
 * Reads a CLIP tokenizer folder as diffusers/optimum export it (`tokenizer/vocab.json`, `merges.txt`,
 * `tokenizer_config.json`, `special_tokens_map.json`) into plain data for `new ClipTokenizer(...)`.
 *
 * The special tokens differ between models (REFERENCE §1): SD 1.x pads with `<|endoftext|>`, SD 2.x and
 * SD-Turbo with `!`. Hugging Face writes them either as strings or as AddedToken objects
 * (`{"content": "!", "__type": "AddedToken", ...}`); both are accepted. `tokenizer_config.json` wins over
 * `special_tokens_map.json`, as in transformers' `PreTrainedTokenizerBase.from_pretrained`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** What a tokenizer folder says, before any id lookup. */
export interface TokenizerFolderData {
  vocab: Record<string, number>;
  merges: string;
  padToken?: string;
  unkToken?: string;
  bosToken?: string;
  eosToken?: string;
  maxLength?: number;
}

/** Beyond this, `model_max_length` is transformers' "no limit" sentinel (1e30), not a real limit. */
const MAX_SANE_LENGTH = 1 << 16;

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

async function readJsonIfPresent(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) return {};
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** The folder holding vocab.json: `dir/tokenizer` for a model folder, else `dir` itself. */
export function resolveTokenizerDir(dir: string): string {
  const nested = path.join(dir, 'tokenizer');
  return existsSync(path.join(nested, 'vocab.json')) ? nested : dir;
}

/** Reads the tokenizer files of a model folder (or of a bare tokenizer folder). */
export async function readTokenizerFolder(dir: string): Promise<TokenizerFolderData> {
  const root = resolveTokenizerDir(dir);
  const vocabFile = path.join(root, 'vocab.json');
  const mergesFile = path.join(root, 'merges.txt');
  if (!existsSync(vocabFile) || !existsSync(mergesFile)) {
    throw new Error(`no CLIP tokenizer in ${dir}: expected tokenizer/vocab.json and tokenizer/merges.txt`);
  }
  const vocabJson: unknown = JSON.parse(await readFile(vocabFile, 'utf8'));
  if (!vocabJson || typeof vocabJson !== 'object' || Array.isArray(vocabJson)) {
    throw new Error(`${vocabFile} is not a JSON object of token -> id`);
  }
  const vocab: Record<string, number> = {};
  for (const [token, id] of Object.entries(vocabJson)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new Error(`${vocabFile}: id of ${JSON.stringify(token)} is ${JSON.stringify(id)}, not an integer >= 0`);
    }
    vocab[token] = id;
  }
  const merges = await readFile(mergesFile, 'utf8');
  const config = await readJsonIfPresent(path.join(root, 'tokenizer_config.json'));
  const specials = await readJsonIfPresent(path.join(root, 'special_tokens_map.json'));
  const pick = (key: string) => tokenContent(config[key]) ?? tokenContent(specials[key]);
  const declaredMax = config.model_max_length;
  const maxLength = typeof declaredMax === 'number' && Number.isInteger(declaredMax) && declaredMax >= 3 &&
    declaredMax <= MAX_SANE_LENGTH ? declaredMax : undefined;
  return {
    vocab, merges, maxLength,
    padToken: pick('pad_token'), unkToken: pick('unk_token'), bosToken: pick('bos_token'), eosToken: pick('eos_token'),
  };
}

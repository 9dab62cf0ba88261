/**
 * Step 2 of the storybook pipeline (see README): learns the model's CLIP-format BPE tokenizer and
 * tokenizes the training captions with the project's own tokenizer, so training sees exactly the ids
 * the engine will feed the text encoder. The vocabulary: the toy models' built-in story/art word list
 * plus every word of the captions, each a single token (learnToyTokenizer's first phase).
 *
 *   npx tsx models/storybook/train/tokenize-captions.ts DATA_DIR
 * reads DATA_DIR/captions.json and uncond.json; writes DATA_DIR/tokenizer/ (vocab.json, merges.txt,
 * tokenizer_config.json, special_tokens_map.json), ids.npy [N,77] and uncond-ids.npy [M,77] (float32).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeNpy } from '../../../src/cli/npy.js';
import { tokenizePlain } from '../../../src/diffusion/text-tokens.js';
import { ClipTokenizer } from '../../../src/tokenizer/clip-tokenizer.js';
import { learnToyTokenizer, tokenizerFiles } from '../../../src/toy-model/toy-tokenizer.js';
import { GENERIC_WORDS, STORY_WORDS } from '../../../src/toy-model/word-list.js';

async function main(dir: string): Promise<void> {
  const captions = JSON.parse(await readFile(join(dir, 'captions.json'), 'utf8')) as string[];
  const uncond = JSON.parse(await readFile(join(dir, 'uncond.json'), 'utf8')) as string[];
  // Distinct caption words once each: frequencies only order ties, every word gets its own token.
  const captionWords = [...new Set(captions.join(' ').toLowerCase().match(/\p{L}+/gu) ?? [])].join(' ');
  const learned = learnToyTokenizer([], 8000, [STORY_WORDS, GENERIC_WORDS, captionWords, uncond.join(' ')]);
  const out = join(dir, 'tokenizer');
  await mkdir(out, { recursive: true });
  for (const [file, text] of Object.entries(tokenizerFiles(learned))) await writeFile(join(out, file), text);
  const tokenizer = await ClipTokenizer.fromFolder(out);
  const encode = (texts: string[]) => {
    const ids = new Float32Array(texts.length * 77);
    texts.forEach((text, i) => ids.set(tokenizePlain(tokenizer, text)[0].ids, i * 77));
    return encodeNpy(ids, [texts.length, 77]);
  };
  await writeFile(join(dir, 'ids.npy'), encode(captions));
  await writeFile(join(dir, 'uncond-ids.npy'), encode(uncond));
  console.log(`tokenizer: ${learned.vocab.size} ids (${learned.merges.length} merges); ${captions.length} captions`);
}

await main(process.argv[2] ?? '/work/ckpt/storybook/data');

"""Composes the training set once: images.npy (uint8 [N,128,128,3], memory-mapped by the trainers),
captions.json and meta.jsonl (setting, time, weather, subjects). Deterministic for a given --seed.

    /usr/bin/python3 make_dataset.py --count 60000 --out /work/ckpt/storybook/data [--subjects staples|all]
"""
import argparse
import json
import os
import time

import numpy as np

from compose import NEGATIVES, SIZE, Composer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=60000)
    ap.add_argument('--out', default='/work/ckpt/storybook/data')
    ap.add_argument('--subjects', default='staples')
    ap.add_argument('--seed', type=int, default=20261207)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    composer = Composer(a.subjects)
    rng = np.random.default_rng(a.seed)
    images = np.lib.format.open_memmap(os.path.join(a.out, 'images.tmp.npy'), mode='w+', dtype=np.uint8,
                                       shape=(a.count, SIZE, SIZE, 3))
    captions, t0 = [], time.time()
    with open(os.path.join(a.out, 'meta.jsonl'), 'w') as meta_file:
        for i in range(a.count):
            img, caption, meta = composer.compose(rng)
            images[i] = np.asarray(img)
            captions.append(caption)
            meta_file.write(json.dumps(meta) + '\n')
            if i % 10000 == 0:
                print(f'{i}/{a.count} {time.time() - t0:.0f}s', flush=True)
    images.flush()
    del images
    os.replace(os.path.join(a.out, 'images.tmp.npy'), os.path.join(a.out, 'images.npy'))
    with open(os.path.join(a.out, 'captions.json'), 'w') as f:
        json.dump(captions, f)
    with open(os.path.join(a.out, 'uncond.json'), 'w') as f:
        json.dump(NEGATIVES, f)
    print(f'done: {a.count} scenes in {time.time() - t0:.0f}s')


if __name__ == '__main__':
    main()

"""Writes ../eval/prompts.json: the subject-recall evaluation's prompts (issue 11). 24 pairs of staples
are held out: train_unet.py drops every training scene that shows both subjects of a pair, so each pair
prompt combines staples in a way training never did. Each pair is asked for in a setting and time of day
chosen at random, and 24 single-subject prompts put a staple in a setting / time it is rarely seen in.
Wording follows the planner ("a fox and a bunch of grapes in a vineyard at dusk").

    /usr/bin/python3 make_eval_prompts.py
"""
import json
import os

import numpy as np

from compose import SETTINGS, TIMES
from subjects import STAPLES

OUT = os.path.join(os.path.dirname(__file__), '..', 'eval', 'prompts.json')
TIME_WORDS = {'day': 'by day', 'dusk': 'at dusk', 'night': 'at night'}


def phrase(s):
    return s.phrase()


def main():
    rng = np.random.default_rng(11)
    ground = [s for s in STAPLES if s.kind != 'sky']
    pairs, used = [], set()
    while len(pairs) < 24:
        a, b = rng.choice(len(ground), 2, replace=False)
        key = tuple(sorted((ground[a].word, ground[b].word)))
        if key in used or ground[a].word in [w for p in used for w in p] and rng.random() < 0.7:
            continue
        used.add(key)
        pairs.append((ground[a], ground[b]))
    settings = [s for s in SETTINGS if s != 'night sky']
    prompts = []
    for a, b in pairs:
        setting = settings[int(rng.integers(0, len(settings)))]
        time = list(TIMES)[int(rng.integers(0, 3))]
        prompts.append({'prompt': f'{phrase(a)} and {phrase(b)} {SETTINGS[setting][0][0]} {TIME_WORDS[time]}',
                        'subjects': [a.word, b.word], 'setting': setting, 'time': time, 'heldOutPair': True})
    singles = rng.choice(len(STAPLES), 24, replace=False)
    for i in singles:
        s = STAPLES[int(i)]
        setting = settings[int(rng.integers(0, len(settings)))]
        time = list(TIMES)[int(rng.integers(0, 3))]
        prompts.append({'prompt': f'{phrase(s)} {SETTINGS[setting][0][0]} {TIME_WORDS[time]}',
                        'subjects': [s.word], 'setting': setting, 'time': time, 'heldOutPair': False})
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'heldOutPairs': [sorted((a.word, b.word)) for a, b in pairs], 'prompts': prompts}, f, indent=1)
    print(f'{len(prompts)} prompts, {len(pairs)} held-out pairs -> {OUT}')


if __name__ == '__main__':
    main()

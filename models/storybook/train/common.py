"""Shared helpers for the storybook trainers: checkpoint paths, atomic saves, logging, thread setup."""
import os
import time

import torch

CKPT = os.environ.get('STORYBOOK_CKPT', '/work/ckpt/storybook')
DATA = os.path.join(CKPT, 'data')


def setup_threads():
    # One thread per process by default: on a shared 2-core machine OpenMP's barrier spinning makes two
    # threads slower than one whenever anything else runs (measured: 130 s vs 22 s per UNet step).
    n = int(os.environ.get('TRAIN_THREADS', '1'))
    torch.set_num_threads(n)
    torch.manual_seed(int(os.environ.get('TRAIN_SEED', '20261207')))


def save_atomic(obj, path):
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


class Log:
    def __init__(self, name):
        os.makedirs(CKPT, exist_ok=True)
        self.f = open(os.path.join(CKPT, name + '.log'), 'a')
        self.t0 = time.time()

    def __call__(self, msg):
        line = f'{time.strftime("%H:%M:%S")} {msg}'
        print(line, flush=True)
        self.f.write(line + '\n')
        self.f.flush()

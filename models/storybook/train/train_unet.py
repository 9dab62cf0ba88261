"""Step 5: trains the text encoder and the UNet together on the pre-encoded latents; resumable.

DDPM training (Ho et al. 2020, Alg. 1) with epsilon prediction under SD's noise schedule: scaled_linear
betas from 0.00085 to 0.012 over T = 1000 steps. Loss weighting: min-SNR-gamma (Hang et al. 2023,
eq. 5: w_t = min(SNR_t, gamma) / SNR_t for epsilon prediction, gamma = 5), which converges several times
faster than the plain MSE. Caption dropout (10%) swaps the caption for "" or a negative-prompt phrase,
which teaches the unconditional prediction classifier-free guidance needs (Ho & Salimans 2022). An EMA of
the weights (decay 0.999) is what gets exported.

    /usr/bin/python3 train_unet.py --minutes 60 [--cosine-to 1.5e-5]
"""
import argparse
import copy
import json
import os
import time

import numpy as np
import torch

from common import CKPT, DATA, Log, save_atomic, setup_threads
from nets import TextEncoder, UNet

T = 1000


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T, dtype=torch.float64) ** 2  # scaled_linear
    return torch.cumprod(1 - betas, 0).float()


def load_scenes():
    """The encoded scenes, their caption ids and the indices training may use."""
    path = os.path.join(DATA, 'latents.npy')
    mtime = os.path.getmtime(path)
    latents = torch.from_numpy(np.load(path).astype(np.float32))
    ids = torch.from_numpy(np.load(os.path.join(DATA, 'ids.npy')).astype(np.int64))[:len(latents)]
    # Scenes showing both subjects of a held-out pair never reach training: the evaluation asks for
    # those pairs (make_eval_prompts.py), so recall there measures composition, not memory.
    held = [set(p) for p in json.load(open(os.path.join(os.path.dirname(__file__), '..', 'eval', 'prompts.json')))['heldOutPairs']]
    metas = [json.loads(line) for _, line in zip(range(len(latents)), open(os.path.join(DATA, 'meta.jsonl')))]
    usable = torch.tensor([i for i, m in enumerate(metas) if not any(p <= set(m['subjects']) for p in held)])
    return latents, ids, usable, mtime


def build(vocab):
    return TextEncoder(vocab), UNet()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--minutes', type=float, default=60)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=3e-4)
    ap.add_argument('--gamma', type=float, default=5.0)
    ap.add_argument('--dropout', type=float, default=0.1)
    ap.add_argument('--cosine-to', type=float, default=0,
                    help='anneal the learning rate from --lr to this value over this run\'s --minutes (cosine, by '
                         'wall-clock time, since runs here are bounded by time, not steps); 0 keeps it constant')
    a = ap.parse_args()
    setup_threads()
    log = Log('unet')
    latents, ids, usable, latents_mtime = load_scenes()
    uncond = torch.from_numpy(np.load(os.path.join(DATA, 'uncond-ids.npy')).astype(np.int64))
    vocab = len(json.load(open(os.path.join(DATA, 'tokenizer', 'vocab.json'))))
    text, unet = build(vocab)
    params = list(text.parameters()) + list(unet.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.01)
    path = os.path.join(CKPT, 'unet.pt')
    step = warm_from = 0
    if os.path.exists(path):
        state = torch.load(path)
        text.load_state_dict(state['text'])
        unet.load_state_dict(state['unet'])
        ema = state['ema']
        step = state['step']
        if 'opt' in state:
            opt.load_state_dict(state['opt'])
            warm_from = 0
        else:  # warm start from the export (warm_start.py): fresh Adam moments, so warm up again
            warm_from = step
            log('no optimizer state (warm start): learning rate warms up again over 300 steps')
    else:
        ema = {'text': copy.deepcopy(text.state_dict()), 'unet': copy.deepcopy(unet.state_dict())}
    ac = alphas_cumprod()
    snr = ac / (1 - ac)
    log(f'{len(usable)} of {len(latents)} scenes usable (held-out pairs dropped)')
    log(f'start step {step}, text {sum(p.numel() for p in text.parameters())} unet '
        f'{sum(p.numel() for p in unet.parameters())} params, vocab {vocab}')
    g = torch.Generator().manual_seed(step + 7)
    t_start = time.time()
    t_end, t_save, t_log, losses = t_start + a.minutes * 60, t_start, t_start, []
    while time.time() < t_end:
        idx = usable[torch.randint(0, len(usable), (a.batch,), generator=g)]
        x0, tok = latents[idx], ids[idx].clone()
        drop = torch.rand(a.batch, generator=g) < a.dropout
        if drop.any():
            # half of the dropped captions become "", the rest a negative-prompt phrase
            pick = torch.where(torch.rand(int(drop.sum()), generator=g) < 0.5, torch.zeros(int(drop.sum()), dtype=torch.long),
                               torch.randint(0, len(uncond), (int(drop.sum()),), generator=g))
            tok[drop] = uncond[pick]
        t = torch.randint(0, T, (a.batch,), generator=g)
        noise = torch.randn(x0.shape, generator=g)
        a_t = ac[t][:, None, None, None]
        xt = a_t.sqrt() * x0 + (1 - a_t).sqrt() * noise
        ctx, _ = text(tok)
        pred = unet(xt, t.float(), ctx)
        w = torch.clamp(snr[t], max=a.gamma) / snr[t]
        loss = (w * (pred - noise).pow(2).mean(dim=(1, 2, 3))).mean()
        lr = a.lr
        if a.cosine_to:
            # cosine annealing (Loshchilov & Hutter 2017, eq. 5) over the run's share of time gone
            done = (time.time() - t_start) / (t_end - t_start)
            lr = a.cosine_to + (a.lr - a.cosine_to) * 0.5 * (1 + np.cos(np.pi * min(1.0, done)))
        lr *= min(1.0, (step - warm_from + 1) / 300)
        for group in opt.param_groups:
            group['lr'] = lr
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        losses.append(loss.item())
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for key, model in (('text', text), ('unet', unet)):
                for name, value in model.state_dict().items():
                    if value.dtype.is_floating_point:
                        ema[key][name].mul_(decay).add_(value, alpha=1 - decay)
        if time.time() - t_log > 60:
            log(f'step {step} loss {np.mean(losses):.4f} lr {lr:.2e} ({(time.time() - t_log) / len(losses):.2f} s/step)')
            losses, t_log = [], time.time()
        if time.time() - t_save > 300 or time.time() >= t_end:
            save_atomic({'text': text.state_dict(), 'unet': unet.state_dict(), 'opt': opt.state_dict(),
                         'ema': ema, 'step': step, 'vocab': vocab}, path)
            log(f'step {step} saved')
            t_save = time.time()
            if os.path.getmtime(os.path.join(DATA, 'latents.npy')) != latents_mtime:
                # encode_latents.py --publish-every put more encoded scenes in place
                latents, ids, usable, latents_mtime = load_scenes()
                log(f'{len(usable)} of {len(latents)} scenes usable now')


if __name__ == '__main__':
    main()

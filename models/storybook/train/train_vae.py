"""Trains the storybook VAE (nets.VAE) on random crops of the composed scenes; resumable.

L1 + MSE reconstruction plus a small KL term (weight 1e-6, as SD's autoencoder keeps its latent near a
unit Gaussian without blurring). Crops: the network is fully convolutional, so 64x64 crops teach it what
full 128x128 scenes need at a quarter of the cost. `--decoder-only` freezes the encoder (the latent space
the UNet was trained on stays fixed) and keeps improving the decoder.

    /usr/bin/python3 train_vae.py --minutes 30 [--decoder-only]
"""
import argparse
import copy
import math
import os
import time

import numpy as np
import torch

from common import CKPT, DATA, Log, save_atomic, setup_threads
from nets import VAE, vae_from_state


def psnr(model, images, n=64):
    x = torch.from_numpy(images[-n:].astype(np.float32) / 127.5 - 1).permute(0, 3, 1, 2)
    with torch.no_grad():
        mean, _ = model.encoder(x).chunk(2, dim=1)
        y = model.decoder(mean).clamp(-1, 1)
    mse = ((y - x) / 2).pow(2).mean().item()
    return 10 * math.log10(1 / mse)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--minutes', type=float, default=30)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--crop', type=int, default=64)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--decoder-only', action='store_true')
    ap.add_argument('--deepen', action='store_true',
                    help='give the decoder a second res block per level, as identity (nets.Decoder.deepen)')
    ap.add_argument('--anchor', type=float, default=0,
                    help='fine-tuning both halves: weight of a pull towards the starting encoder\'s latents, '
                         'so a UNet trained on them needs only to adapt, not to start again')
    a = ap.parse_args()
    setup_threads()
    log = Log('vae')
    images = np.load(os.path.join(DATA, 'images.npy'), mmap_mode='r')
    train_n = len(images) - 64  # the last 64 scenes are held out for PSNR
    path = os.path.join(CKPT, 'vae.pt')
    step = 0
    state = torch.load(path) if os.path.exists(path) else None
    model = vae_from_state(state['model']) if state else VAE()
    if state:
        step = state['step']
    deepened = a.deepen and model.decoder.extra is None
    if deepened:
        model.decoder.deepen()
    params = model.decoder.parameters() if a.decoder_only else model.parameters()
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0)
    if state and not deepened and state.get('decoder_only', False) == a.decoder_only and 'opt' in state:
        opt.load_state_dict(state['opt'])
        for group in opt.param_groups:  # the saved state carries the old learning rate; --lr wins
            group['lr'] = a.lr
    log(f'start step {step} decoder_only={a.decoder_only} anchor={a.anchor} deepened={model.decoder.extra is not None} psnr {psnr(model, images):.2f} dB')
    use_anchor = a.anchor > 0 and not a.decoder_only  # the decoder alone leaves the latents as they are
    if use_anchor:
        anchor = copy.deepcopy(model.encoder).eval().requires_grad_(False)
        if state and 'anchor' in state:
            anchor.load_state_dict(state['anchor'])
    rng = np.random.default_rng(step + 1)
    t_end, t_save = time.time() + a.minutes * 60, time.time()
    while time.time() < t_end:
        idx = rng.integers(0, train_n, a.batch)
        ys, xs = rng.integers(0, 128 - a.crop + 1, (2, a.batch)) // 8 * 8
        crop = np.stack([images[i, y:y + a.crop, x:x + a.crop] for i, y, x in zip(idx, ys, xs)])
        x = torch.from_numpy(crop.astype(np.float32) / 127.5 - 1).permute(0, 3, 1, 2)
        if a.decoder_only:
            with torch.no_grad():
                mean, logvar = model.encoder(x).chunk(2, dim=1)
                z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar.clamp(-30, 20))
            y, kl = model.decoder(z), torch.zeros(())
        else:
            y, mean, logvar = model(x)
            kl = 0.5 * (mean.pow(2) + logvar.exp() - 1 - logvar).mean()
        loss = (y - x).abs().mean() + (y - x).pow(2).mean() + 1e-6 * kl * 4 * 64
        if use_anchor:
            with torch.no_grad():
                old, _ = anchor(x).chunk(2, dim=1)
            loss = loss + a.anchor * (mean - old).pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        if step % 50 == 0:
            log(f'step {step} loss {loss.item():.4f} kl {kl.item():.3f}')
        if time.time() - t_save > 420 or time.time() >= t_end:
            p = psnr(model, images)
            extra = {'anchor': anchor.state_dict()} if use_anchor else {}
            save_atomic({'model': model.state_dict(), 'opt': opt.state_dict(), 'step': step,
                         'decoder_only': a.decoder_only, 'psnr': p, **extra}, path)
            log(f'step {step} saved, held-out psnr {p:.2f} dB')
            t_save = time.time()


if __name__ == '__main__':
    main()

"""Step 4: encodes every composed scene once with the trained (now frozen) VAE encoder, so UNet training
never runs the encoder (issue 11's "pre-encode the latents once"). Writes latents.npy (float16 [N,4,16,16],
the encoder mean times the scaling factor) and scaling.json. The scaling factor is 1 / std of the means, as
SD's 0.18215 was chosen to give its latents unit variance (Rombach et al. 2022, sec. G).

    /usr/bin/python3 encode_latents.py [--count N] [--scaling F]     # Ctrl-C keeps the scenes encoded so far

While the UNet trains, a second process can encode the rest of a larger set beside it: `--start S` keeps the
first S latents of latents.npy and encodes from there, and `--publish-every K` puts the encoded prefix in
place every K scenes (atomically), which train_unet.py picks up at its next checkpoint.
"""
import argparse
import json
import os

import numpy as np
import torch

from common import CKPT, DATA, Log, setup_threads
from nets import vae_from_state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=0, help='encode only the first COUNT scenes (0 = all)')
    ap.add_argument('--scaling', type=float, default=0,
                    help="keep this scaling factor (a warm start's, from the committed vae config) instead of "
                         "measuring a new one: the warm-started UNet learned the committed factor's latents")
    ap.add_argument('--start', type=int, default=0, help='keep the first START latents of latents.npy')
    ap.add_argument('--publish-every', type=int, default=0, help='publish the encoded prefix every K scenes')
    a = ap.parse_args()
    setup_threads()
    log = Log('encode')
    images = np.load(os.path.join(DATA, 'images.npy'), mmap_mode='r')
    if a.count:
        images = images[:a.count]
    state = torch.load(os.path.join(CKPT, 'vae.pt'))
    vae = vae_from_state(state['model']).eval()
    tmp = os.path.join(DATA, 'latents.tmp.npy')
    out = np.lib.format.open_memmap(tmp, mode='w+', dtype=np.float16, shape=(len(images), 4, 16, 16))
    done = 0
    if a.start:
        if not a.scaling:
            raise SystemExit('--start needs --scaling (the kept latents are stored scaled)')
        kept = np.load(os.path.join(DATA, 'latents.npy'), mmap_mode='r')[:a.start]
        out[:len(kept)] = (kept.astype(np.float32) / a.scaling).astype(np.float16)
        done = len(kept)
    published = done
    try:
        with torch.no_grad():
            for i in range(done, len(images), 256):
                x = torch.from_numpy(images[i:i + 256].astype(np.float32) / 127.5 - 1).permute(0, 3, 1, 2)
                mean, _ = vae.encoder(x).chunk(2, dim=1)
                out[i:i + 256] = mean.numpy().astype(np.float16)
                done = i + len(x)
                if i % 2560 == 0:
                    log(f'encoded {done}/{len(images)}')
                if a.publish_every and done - published >= a.publish_every:
                    out.flush()
                    publish(tmp, done, a.scaling)
                    published = done
                    log(f'published {done} latents')
    except KeyboardInterrupt:  # Ctrl-C (SIGINT): keep what is encoded, so training can start sooner
        log(f'stopped: keeping the {done} scenes encoded so far')
    del out
    finalize(tmp, done, a.scaling, state['step'], log)


def publish(tmp, count, scaling):
    """Writes the first `count` encoded means, scaled, as latents.npy; atomically, since a trainer may be
    reading it."""
    out = np.load(tmp, mmap_mode='r')[:count].astype(np.float32)
    with open(os.path.join(DATA, 'latents.part.npy'), 'wb') as f:
        np.save(f, (out * scaling).astype(np.float16))
    os.replace(os.path.join(DATA, 'latents.part.npy'), os.path.join(DATA, 'latents.npy'))


def finalize(tmp, count, scaling, vae_step, log):
    """Scales the first `count` encoded means and moves them into place as latents.npy."""
    sample = np.load(tmp, mmap_mode='r')[:count:7].astype(np.float32)
    scaling = scaling or float(1 / sample.std())
    publish(tmp, count, scaling)
    os.remove(tmp)
    with open(os.path.join(DATA, 'scaling.json'), 'w') as f:
        json.dump({'scaling_factor': scaling, 'vae_step': vae_step, 'mean': float(sample.mean())}, f)
    log(f'{count} latents, scaling factor {scaling:.5f} (latent mean {sample.mean():.3f})')


if __name__ == '__main__':
    main()

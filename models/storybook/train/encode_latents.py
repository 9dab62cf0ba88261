"""Step 4: encodes every composed scene once with the trained (now frozen) VAE encoder, so UNet training
never runs the encoder (issue 11's "pre-encode the latents once"). Writes latents.npy (float16 [N,4,16,16],
the encoder mean times the scaling factor) and scaling.json. The scaling factor is 1 / std of the means, as
SD's 0.18215 was chosen to give its latents unit variance (Rombach et al. 2022, sec. G).

    /usr/bin/python3 encode_latents.py
"""
import argparse
import json
import os

import numpy as np
import torch

from common import CKPT, DATA, Log, setup_threads
from nets import VAE


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=0, help='encode only the first COUNT scenes (0 = all)')
    a = ap.parse_args()
    setup_threads()
    log = Log('encode')
    images = np.load(os.path.join(DATA, 'images.npy'), mmap_mode='r')
    if a.count:
        images = images[:a.count]
    vae = VAE()
    state = torch.load(os.path.join(CKPT, 'vae.pt'))
    vae.load_state_dict(state['model'])
    vae.eval()
    out = np.lib.format.open_memmap(os.path.join(DATA, 'latents.tmp.npy'), mode='w+', dtype=np.float16,
                                    shape=(len(images), 4, 16, 16))
    with torch.no_grad():
        for i in range(0, len(images), 256):
            x = torch.from_numpy(images[i:i + 256].astype(np.float32) / 127.5 - 1).permute(0, 3, 1, 2)
            mean, _ = vae.encoder(x).chunk(2, dim=1)
            out[i:i + 256] = mean.numpy().astype(np.float16)
            if i % 10240 == 0:
                log(f'encoded {i}/{len(images)}')
    sample = out[::7].astype(np.float32)
    scaling = float(1 / sample.std())
    out[:] = (out[:].astype(np.float32) * scaling).astype(np.float16)
    out.flush()
    del out
    os.replace(os.path.join(DATA, 'latents.tmp.npy'), os.path.join(DATA, 'latents.npy'))
    with open(os.path.join(DATA, 'scaling.json'), 'w') as f:
        json.dump({'scaling_factor': scaling, 'vae_step': state['step'], 'mean': float(sample.mean())}, f)
    log(f'scaling factor {scaling:.5f} (latent mean {sample.mean():.3f})')


if __name__ == '__main__':
    main()

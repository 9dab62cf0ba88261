"""Rebuilds training checkpoints from the committed ONNX folder, so a new session (whose machine has no
/work/ckpt) continues training where the last one stopped instead of from scratch (issue 11: "when a
session finds none, warm-start from the committed weights").

export_onnx.py exports without constant folding, so every initializer keeps its PyTorch parameter name
(stored as `<name>__fp16` + Cast); this script reads them back into fresh modules. The optimizer state
is not in the export: training resumes from the exported (EMA) weights with a fresh optimizer.

    /usr/bin/python3 warm_start.py [--model ../]     # writes $STORYBOOK_CKPT/vae.pt and unet.pt
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from common import CKPT, save_atomic
from nets import VAE
from train_unet import build


def initializers(path, prefix):
    out = {}
    for init in onnx.load(path).graph.initializer:
        name = init.name[:-len('__fp16')] if init.name.endswith('__fp16') else init.name
        if name.startswith(prefix):
            out[name[len(prefix):]] = torch.from_numpy(numpy_helper.to_array(init).astype(np.float32).copy())
    return out


def load_into(module, weights, what):
    state = module.state_dict()
    missing = [k for k in state if k not in weights]
    if missing:
        raise SystemExit(f'{what}: the export lacks {len(missing)} parameters (e.g. {missing[:3]}); was it exported with constant folding?')
    module.load_state_dict({k: weights[k] for k in state})


def vae_from_onnx(model_dir):
    """The exported VAE as a torch module, shaped like the export (a deepened decoder has `extra.*`)."""
    decoder = initializers(os.path.join(model_dir, 'vae_decoder', 'model.onnx'), '')
    vae = VAE(decoder_extra=any(k.startswith('extra.') for k in decoder))
    load_into(vae.encoder, initializers(os.path.join(model_dir, 'vae_encoder', 'model.onnx'), 'encoder.'), 'vae_encoder')
    load_into(vae.decoder, decoder, 'vae_decoder')
    return vae


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default=os.path.join(os.path.dirname(__file__), '..'))
    a = ap.parse_args()
    os.makedirs(CKPT, exist_ok=True)
    info = json.load(open(os.path.join(a.model, 'training.json')))
    vocab = json.load(open(os.path.join(a.model, 'text_encoder', 'config.json')))['vocab_size']
    vae = vae_from_onnx(a.model)
    text, unet = build(vocab)
    load_into(text, initializers(os.path.join(a.model, 'text_encoder', 'model.onnx'), 'text.'), 'text_encoder')
    load_into(unet, initializers(os.path.join(a.model, 'unet', 'model.onnx'), ''), 'unet')
    save_atomic({'model': vae.state_dict(), 'step': info['vae_step'], 'decoder_only': True}, os.path.join(CKPT, 'vae.pt'))
    ema = {'text': text.state_dict(), 'unet': unet.state_dict()}
    save_atomic({'text': text.state_dict(), 'unet': unet.state_dict(), 'ema': ema, 'step': info['unet_step'],
                 'vocab': vocab, 'warm_started': True}, os.path.join(CKPT, 'unet.pt'))
    print(f'warm start: VAE step {info["vae_step"]}, UNet step {info["unet_step"]} -> {CKPT}')


if __name__ == '__main__':
    main()

"""The recall a perfect UNet could reach with this VAE: the evaluation's judge reads composed scenes as
they are and after an encode/decode round trip through the VAE. Every picture the model draws passes
through the decoder, so when the judge cannot name the subjects of reconstructed ground truth, no amount
of UNet training makes it name them in generated pictures (the judge's recall on the originals is the
ceiling of the ceiling). Also writes a sheet: originals on odd rows, reconstructions under them.

    /usr/bin/python3 judge_ceiling.py [--vae ckpt|MODEL_DIR] [--count 256] [--sheet out.png] [--out ../vae-ceiling.json]

`--vae ckpt` reads $STORYBOOK_CKPT/vae.pt (training); a folder reads its exported vae_encoder/vae_decoder.
Scenes: the last --count of $STORYBOOK_CKPT/data, which train_vae.py holds out when --count <= 64.
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

from common import CKPT, DATA, setup_threads
from nets import vae_from_state
from warm_start import vae_from_onnx

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL = os.path.join(HERE, '..', 'eval')


def load_judge():
    """judge.onnx back into torch: its export folded each BatchNorm into the conv before it, so the body
    is conv + ReLU pairs in graph order, then a mean over space and the subject head."""
    graph = onnx.load(os.path.join(EVAL, 'judge.onnx')).graph
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).astype(np.float32).copy()) for i in graph.initializer}
    layers = []
    for node in (n for n in graph.node if n.op_type == 'Conv'):
        w, b = weights[node.input[1]], weights[node.input[2]]
        stride = next(a.ints[0] for a in node.attribute if a.name == 'strides')
        conv = nn.Conv2d(w.shape[1], w.shape[0], w.shape[2], stride=stride, padding=w.shape[2] // 2)
        conv.weight.data, conv.bias.data = w, b
        layers += [conv, nn.ReLU()]
    body = nn.Sequential(*layers)
    head = nn.Linear(weights['subjects.weight'].shape[1], weights['subjects.weight'].shape[0])
    head.weight.data, head.bias.data = weights['subjects.weight'], weights['subjects.bias']

    def judge(x):  # [B,3,128,128] in [0,1] -> subject probabilities (the judge reads 64x64)
        return torch.sigmoid(head(body(F.avg_pool2d(x, 2) * 2 - 1).mean(dim=(2, 3))))
    return judge


def load_vae(source):
    if source == 'ckpt':
        return vae_from_state(torch.load(os.path.join(CKPT, 'vae.pt'))['model']).eval()
    return vae_from_onnx(source).eval()


def recall(probs, metas, subjects):
    found = asked = 0
    for p, meta in zip(probs, metas):
        for s in meta['subjects']:
            found += int(p[subjects.index(s)] > 0.5)
            asked += 1
    return found / asked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vae', default=os.path.normpath(os.path.join(HERE, '..')))
    ap.add_argument('--count', type=int, default=256)
    ap.add_argument('--sheet', default='')
    ap.add_argument('--out', default='', help='also write the figures here (npm run storybook:eval reports them)')
    a = ap.parse_args()
    setup_threads()
    subjects = json.load(open(os.path.join(EVAL, 'labels.json')))['subjects']
    images = np.load(os.path.join(DATA, 'images.npy'), mmap_mode='r')
    start = len(images) - a.count
    metas = [json.loads(line) for line in open(os.path.join(DATA, 'meta.jsonl'))][start:]
    x = torch.from_numpy(images[start:].astype(np.float32) / 255).permute(0, 3, 1, 2)
    judge, vae = load_judge(), load_vae(a.vae)
    with torch.no_grad():
        mean, _ = vae.encoder(x * 2 - 1).chunk(2, dim=1)
        rec = ((vae.decoder(mean) + 1) / 2).clamp(0, 1)
        psnr = float(10 * torch.log10(1 / F.mse_loss(rec, x)))
        out = {'scenes': a.count, 'vae': a.vae, 'psnr_db': round(psnr, 2),
               'recall_originals': round(recall(judge(x), metas, subjects), 3),
               'recall_reconstructions': round(recall(judge(rec), metas, subjects), 3)}
    print(json.dumps(out))
    if a.out:
        with open(a.out, 'w') as f:
            json.dump(out, f, indent=2)
            f.write('\n')
    if a.sheet:
        from PIL import Image
        rows = []
        for i in range(0, 16, 8):
            rows += [np.concatenate(list(t[i:i + 8].permute(0, 2, 3, 1).numpy()), 1) for t in (x, rec)]
        Image.fromarray((np.concatenate(rows, 0) * 255).astype(np.uint8)).save(a.sheet)


if __name__ == '__main__':
    main()

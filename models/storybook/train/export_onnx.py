"""Step 6: exports the trained networks to diffusers' ONNX folder layout (REFERENCE section 1), so the
engine loads the storybook model exactly as it loads a Stable Diffusion export:

    model_index.json, scheduler/scheduler_config.json, tokenizer/*,
    text_encoder/model.onnx  input_ids int32 [B,S] -> last_hidden_state [B,S,256], pooler_output [B,256]
    unet/model.onnx          sample [B,4,h,w], timestep float32 [B], encoder_hidden_states [B,S,256] -> out_sample
    vae_encoder/model.onnx   sample [B,3,H,W] in [-1,1] -> latent_sample [B,4,H/8,W/8] (the posterior mean)
    vae_decoder/model.onnx   latent_sample [B,4,h,w] -> sample [B,3,8h,8w]
    */config.json            (unet sample_size, vae scaling_factor, text hidden size)

Weights are stored as float16 initializers followed by a Cast to float32: half the bytes on disk, while
inputs, outputs and arithmetic stay float32 (onnxruntime folds the casts when it loads the session).
The EMA weights are exported.

    /usr/bin/python3 export_onnx.py --out ../  [--raw]  (--raw: the live weights instead of the EMA)
"""
import argparse
import json
import os
import shutil

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from common import CKPT, DATA, setup_threads
from nets import vae_from_state
from train_unet import build

DIFFUSERS = '0.31.0'


class TextWrapper(torch.nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, input_ids):
        return self.text(input_ids)


class EncoderMean(torch.nn.Module):
    """The encoder's posterior mean as `latent_sample` (deterministic img2img, as REFERENCE section 1)."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, sample):
        return self.encoder(sample).chunk(2, dim=1)[0]


def store_half(path):
    """Float32 initializers of >= 64 values -> float16 initializer + Cast(to=float32), same names."""
    model = onnx.load(path)
    graph = model.graph
    casts, keep = [], []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size >= 64:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + '__fp16')
            keep.append(half)
            casts.append(helper.make_node('Cast', [half.name], [init.name], to=onnx.TensorProto.FLOAT,
                                          name=init.name + '__cast'))
        else:
            keep.append(init)
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def export(module, args, path, inputs, outputs, axes):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(module, args, path, input_names=inputs, output_names=outputs, dynamic_axes=axes,
                      opset_version=14, do_constant_folding=False)
    store_half(path)


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(json.dumps(value, indent=2) + '\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..'))
    ap.add_argument('--raw', action='store_true')
    a = ap.parse_args()
    setup_threads()
    out = os.path.abspath(a.out)
    scaling = json.load(open(os.path.join(DATA, 'scaling.json')))['scaling_factor']
    vae = vae_from_state(torch.load(os.path.join(CKPT, 'vae.pt'))['model'])
    state = torch.load(os.path.join(CKPT, 'unet.pt'))
    text, unet = build(state['vocab'])
    weights = {'text': state['text'], 'unet': state['unet']} if a.raw else state['ema']
    text.load_state_dict(weights['text'])
    unet.load_state_dict(weights['unet'])
    for m in (vae, text, unet):
        m.eval()
    dim = text.tok.embedding_dim

    with torch.no_grad():
        ids = torch.zeros(1, 77, dtype=torch.int32)
        export(TextWrapper(text), (ids,), f'{out}/text_encoder/model.onnx', ['input_ids'],
               ['last_hidden_state', 'pooler_output'], {'input_ids': {0: 'batch', 1: 'sequence'},
                                                        'last_hidden_state': {0: 'batch', 1: 'sequence'},
                                                        'pooler_output': {0: 'batch'}})
        export(unet, (torch.randn(2, 4, 16, 16), torch.tensor([500.0, 500.0]), torch.randn(2, 77, dim)),
               f'{out}/unet/model.onnx', ['sample', 'timestep', 'encoder_hidden_states'], ['out_sample'],
               {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'timestep': {0: 'batch'},
                'encoder_hidden_states': {0: 'batch', 1: 'sequence'},
                'out_sample': {0: 'batch', 2: 'height', 3: 'width'}})

        export(EncoderMean(vae.encoder), (torch.randn(1, 3, 128, 128),), f'{out}/vae_encoder/model.onnx', ['sample'], ['latent_sample'],
               {'sample': {0: 'batch', 2: 'height', 3: 'width'}, 'latent_sample': {0: 'batch', 2: 'h', 3: 'w'}})
        export(vae.decoder, (torch.randn(1, 4, 16, 16),), f'{out}/vae_decoder/model.onnx', ['latent_sample'], ['sample'],
               {'latent_sample': {0: 'batch', 2: 'height', 3: 'width'}, 'sample': {0: 'batch', 2: 'h', 3: 'w'}})

    onnx_component = ['diffusers', 'OnnxRuntimeModel']
    write_json(f'{out}/model_index.json', {
        '_class_name': 'OnnxStableDiffusionPipeline', '_diffusers_version': DIFFUSERS,
        'feature_extractor': [None, None], 'requires_safety_checker': False, 'safety_checker': [None, None],
        'scheduler': ['diffusers', 'DDIMScheduler'], 'text_encoder': onnx_component,
        'tokenizer': ['transformers', 'CLIPTokenizer'], 'unet': onnx_component,
        'vae_decoder': onnx_component, 'vae_encoder': onnx_component})
    write_json(f'{out}/scheduler/scheduler_config.json', {
        '_class_name': 'DDIMScheduler', '_diffusers_version': DIFFUSERS, 'beta_end': 0.012,
        'beta_schedule': 'scaled_linear', 'beta_start': 0.00085, 'clip_sample': False,
        'num_train_timesteps': 1000, 'prediction_type': 'epsilon', 'set_alpha_to_one': False,
        'steps_offset': 1, 'timestep_spacing': 'leading', 'trained_betas': None})
    write_json(f'{out}/unet/config.json', {
        '_class_name': 'UNet2DConditionModel', '_diffusers_version': DIFFUSERS, 'in_channels': 4,
        'out_channels': 4, 'sample_size': 16, 'cross_attention_dim': dim,
        'block_out_channels': list(unet.down_res[i].c1.out_channels for i in range(unet.levels))})
    vae_config = {'_class_name': 'AutoencoderKL', '_diffusers_version': DIFFUSERS, 'in_channels': 3,
                  'out_channels': 3, 'latent_channels': 4, 'sample_size': 128, 'scaling_factor': round(scaling, 5)}
    write_json(f'{out}/vae_decoder/config.json', vae_config)
    write_json(f'{out}/vae_encoder/config.json', vae_config)
    write_json(f'{out}/text_encoder/config.json', {
        'architectures': ['CLIPTextModel'], 'model_type': 'clip_text_model', 'hidden_size': dim,
        'max_position_embeddings': 77, 'vocab_size': state['vocab'], 'num_hidden_layers': len(text.blocks)})
    shutil.copytree(os.path.join(DATA, 'tokenizer'), f'{out}/tokenizer', dirs_exist_ok=True)
    vae_state = torch.load(os.path.join(CKPT, 'vae.pt'))
    write_json(f'{out}/training.json', {'unet_step': state['step'], 'ema': not a.raw,
                                        'vae_step': json.load(open(os.path.join(DATA, 'scaling.json')))['vae_step'],
                                        'vae_decoder_step': vae_state['step'], 'vae_psnr_db': round(vae_state.get('psnr', 0), 2)})
    print('exported to', out)


if __name__ == '__main__':
    main()

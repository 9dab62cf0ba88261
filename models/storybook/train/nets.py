"""The storybook model's three networks, Stable Diffusion's family at small size.

- AutoencoderKL (Rombach et al. 2022, sec. 3): 8x downsampling, 4 latent channels; the encoder predicts
  mean and log-variance, the decoder maps latents back to [-1, 1] RGB. Fully convolutional, so it trains
  on crops and runs at any multiple of 8.
- TextEncoder: CLIP's text transformer shape (Radford et al. 2021): token + position embeddings, pre-norm
  causal self-attention blocks, final LayerNorm; pooler_output is the hidden state at the EOS token (the
  highest id in the row, as CLIP's argmax).
- UNet: SD's denoiser shape (Ho et al. 2020 eps-prediction; Rombach et al. 2022 cross-attention): res
  blocks with a timestep embedding, transformer blocks (self-attention, cross-attention to the text,
  GEGLU-free MLP) at every level, skip connections.
Written with plain ops only so torch.onnx.export (opset 14) produces graphs onnxruntime runs anywhere.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def norm(c):
    return nn.GroupNorm(8 if c % 8 == 0 else 1, c, eps=1e-6)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb=0):
        super().__init__()
        self.n1, self.c1 = norm(cin), nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(temb, cout) if temb else None
        self.n2, self.c2 = norm(cout), nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, t=None):
        h = self.c1(F.silu(self.n1(x)))
        if self.t is not None:
            h = h + self.t(F.silu(t))[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


# --- VAE ------------------------------------------------------------------------------------------
class Encoder(nn.Module):
    def __init__(self, ch=(48, 96, 128), z=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, ch[0], 3, padding=1)
        layers, c = [], ch[0]
        for co in ch:
            layers += [ResBlock(c, co), nn.Conv2d(co, co, 3, stride=2, padding=1)]
            c = co
        self.down = nn.ModuleList(layers)
        self.mid = ResBlock(c, c)
        self.out = nn.Sequential(norm(c), nn.SiLU(), nn.Conv2d(c, 2 * z, 3, padding=1))

    def forward(self, x):
        h = self.conv_in(x)
        for layer in self.down:
            h = layer(h)
        return self.out(self.mid(h))  # [B, 8, h/8, w/8] = mean || logvar


class Decoder(nn.Module):
    """`extra` adds a second res block at each upsampling level. A trained decoder gets them with
    deepen(), as identity (zero last conv, the Fixup / zero-init-residual trick, Zhang et al. 2019), so
    it grows without forgetting and without touching the encoder's latent space the UNet depends on."""

    def __init__(self, ch=(128, 96, 48), z=4, extra=False):
        super().__init__()
        self.ch = ch
        self.conv_in = nn.Conv2d(z, ch[0], 3, padding=1)
        self.mid = nn.ModuleList([ResBlock(ch[0], ch[0]), ResBlock(ch[0], ch[0])])
        layers, c = [], ch[0]
        for co in ch:
            layers += [nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(c, co, 3, padding=1), ResBlock(co, co)]
            c = co
        self.up = nn.ModuleList(layers)
        self.out = nn.Sequential(norm(c), nn.SiLU(), nn.Conv2d(c, 3, 3, padding=1))
        # Registered last, as deepen() registers it: a saved optimizer's state follows parameter order.
        self.extra = nn.ModuleList([ResBlock(co, co) for co in ch]) if extra else None

    def deepen(self):
        self.extra = nn.ModuleList([ResBlock(co, co) for co in self.ch])
        for block in self.extra:
            nn.init.zeros_(block.c2.weight)
            nn.init.zeros_(block.c2.bias)

    def forward(self, z):
        h = self.conv_in(z)
        for layer in self.mid:
            h = layer(h)
        for level in range(len(self.ch)):
            for layer in self.up[3 * level:3 * level + 3]:
                h = layer(h)
            if self.extra is not None:
                h = self.extra[level](h)
        return self.out(h)


class VAE(nn.Module):
    def __init__(self, decoder_extra=False):
        super().__init__()
        self.encoder, self.decoder = Encoder(), Decoder(extra=decoder_extra)

    def forward(self, x):
        moments = self.encoder(x)
        mean, logvar = moments.chunk(2, dim=1)
        logvar = logvar.clamp(-30, 20)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        return self.decoder(z), mean, logvar


def vae_from_state(state_dict):
    """A VAE shaped like the saved weights (with or without the deepened decoder's extra blocks)."""
    vae = VAE(decoder_extra=any(k.startswith('decoder.extra.') for k in state_dict))
    vae.load_state_dict(state_dict)
    return vae


# --- text encoder ---------------------------------------------------------------------------------
class Attention(nn.Module):
    def __init__(self, dim, ctx_dim=None, heads=4):
        super().__init__()
        ctx_dim = ctx_dim or dim
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(ctx_dim, dim, bias=False)
        self.v = nn.Linear(ctx_dim, dim, bias=False)
        self.o = nn.Linear(dim, dim)

    def forward(self, x, ctx=None, mask=None):
        ctx = x if ctx is None else ctx
        B, N, D = x.shape
        H = self.heads
        q = self.q(x).reshape(B, N, H, D // H).transpose(1, 2)
        k = self.k(ctx).reshape(B, -1, H, D // H).transpose(1, 2)
        v = self.v(ctx).reshape(B, -1, H, D // H).transpose(1, 2)
        w = (q @ k.transpose(-1, -2)) * self.scale
        if mask is not None:
            w = w + mask
        out = (w.softmax(-1) @ v).transpose(1, 2).reshape(B, N, D)
        return self.o(out)


class TextBlock(nn.Module):
    def __init__(self, dim, heads=4):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(dim), Attention(dim, heads=heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, mask):
        x = x + self.attn(self.ln1(x), mask=mask)
        return x + self.mlp(self.ln2(x))


class TextEncoder(nn.Module):
    def __init__(self, vocab, dim=256, layers=2, length=77):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(length, dim) * 0.01)
        self.blocks = nn.ModuleList([TextBlock(dim) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        mask = torch.full((length, length), -1e4).triu(1)
        self.register_buffer('mask', mask, persistent=False)

    def forward(self, ids):
        n = ids.shape[1]
        x = self.tok(ids.long()) + self.pos[:n]
        for b in self.blocks:
            x = b(x, self.mask[:n, :n])
        hidden = self.ln(x)
        eos = ids.long().argmax(dim=-1)  # EOS has the highest id, as in CLIP
        pooled = hidden[torch.arange(hidden.shape[0]), eos]
        return hidden, pooled


# --- UNet -----------------------------------------------------------------------------------------
class SpatialTransformer(nn.Module):
    """Self-attention, cross-attention to the text, MLP (SD's BasicTransformerBlock, GELU MLP)."""

    def __init__(self, c, ctx_dim, heads=4):
        super().__init__()
        self.norm = norm(c)
        self.proj_in = nn.Linear(c, c)
        self.ln1, self.attn1 = nn.LayerNorm(c), Attention(c, heads=heads)
        self.ln2, self.attn2 = nn.LayerNorm(c), Attention(c, ctx_dim, heads=heads)
        self.ln3 = nn.LayerNorm(c)
        self.ff = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))
        self.proj_out = nn.Linear(c, c)

    def forward(self, x, ctx):
        B, C, H, W = x.shape
        h = self.norm(x).reshape(B, C, H * W).transpose(1, 2)
        h = self.proj_in(h)
        h = h + self.attn1(self.ln1(h))
        h = h + self.attn2(self.ln2(h), ctx)
        h = h + self.ff(self.ln3(h))
        h = self.proj_out(h).transpose(1, 2).reshape(B, C, H, W)
        return x + h


def timestep_embedding(t, dim):
    """Sinusoidal embedding (Vaswani et al. 2017; DDPM's time embedding), flip_sin_to_cos as SD."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class UNet(nn.Module):
    def __init__(self, ch=(64, 128, 160), ctx_dim=256, attn=(False, True, True)):
        super().__init__()
        temb = ch[0] * 4
        self.tdim = ch[0]
        self.time = nn.Sequential(nn.Linear(ch[0], temb), nn.SiLU(), nn.Linear(temb, temb))
        self.conv_in = nn.Conv2d(4, ch[0], 3, padding=1)
        self.down_res, self.down_attn, self.downsample = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        c = ch[0]
        skips = [c]
        for i, co in enumerate(ch):
            self.down_res.append(ResBlock(c, co, temb))
            self.down_attn.append(SpatialTransformer(co, ctx_dim) if attn[i] else nn.Identity())
            c = co
            skips.append(c)
            if i < len(ch) - 1:
                self.downsample.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
                skips.append(c)
        self.mid1, self.mid_attn, self.mid2 = ResBlock(c, c, temb), SpatialTransformer(c, ctx_dim), ResBlock(c, c, temb)
        self.up_res, self.up_attn, self.upsample = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        for i, co in reversed(list(enumerate(ch))):
            for _ in range(2):
                self.up_res.append(ResBlock(c + skips.pop(), co, temb))
                self.up_attn.append(SpatialTransformer(co, ctx_dim) if attn[i] else nn.Identity())
                c = co
            if i > 0:
                self.upsample.append(nn.Conv2d(c, c, 3, padding=1))
        self.out = nn.Sequential(norm(c), nn.SiLU(), nn.Conv2d(c, 4, 3, padding=1))
        self.levels = len(ch)

    def forward(self, x, t, ctx):
        temb = self.time(timestep_embedding(t, self.tdim))
        h = self.conv_in(x)
        hs = [h]
        for i in range(self.levels):
            h = self.down_res[i](h, temb)
            h = self.down_attn[i](h, ctx) if not isinstance(self.down_attn[i], nn.Identity) else h
            hs.append(h)
            if i < self.levels - 1:
                h = self.downsample[i](h)
                hs.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, temb), ctx), temb)
        k = 0
        for j, i in enumerate(reversed(range(self.levels))):
            for _ in range(2):
                h = self.up_res[k](torch.cat([h, hs.pop()], dim=1), temb)
                h = self.up_attn[k](h, ctx) if not isinstance(self.up_attn[k], nn.Identity) else h
                k += 1
            if i > 0:
                h = self.upsample[j](F.interpolate(h, scale_factor=2.0, mode='nearest'))
        return self.out(h)


def count(m):
    return sum(p.numel() for p in m.parameters())

#!/usr/bin/env bash
# Rebuilds the storybook model from nothing: fetch Twemoji from the npm registry, compose scenes, learn
# the tokenizer, train the VAE, encode latents, train the UNet + text encoder, export, train the judge.
# Each step resumes from its checkpoint under $STORYBOOK_CKPT (default /work/ckpt/storybook), so the
# script can be stopped and re-run. Minutes per step are arguments because they depend on the machine.
#   bash models/storybook/train/pipeline.sh [VAE_MINUTES] [UNET_MINUTES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
ckpt=${STORYBOOK_CKPT:-/work/ckpt/storybook}
py=/usr/bin/python3   # Debian's python3-torch and python3-onnx live here (see README)
export TWEMOJI_DIR=${TWEMOJI_DIR:-$ckpt/twemoji/package}

if [ ! -f "$TWEMOJI_DIR/emoji.json" ]; then
  mkdir -p "$ckpt/twemoji"
  (cd "$ckpt/twemoji" && npm pack emoji-datasource-twitter@16.0.0 >/dev/null && tar xzf emoji-datasource-twitter-16.0.0.tgz)
fi
cd "$here"
[ -f "$ckpt/data/images.npy" ] || $py make_dataset.py --count 80000 --out "$ckpt/data"
[ -f "$ckpt/data/ids.npy" ] || (cd "$repo" && npx tsx models/storybook/train/tokenize-captions.ts "$ckpt/data")
$py train_vae.py --minutes "${1:-30}"
[ -f "$ckpt/data/latents.npy" ] || $py encode_latents.py
$py train_unet.py --minutes "${2:-120}"
$py export_onnx.py --out "$here/.."
[ -f "$here/../eval/judge.onnx" ] || $py train_classifier.py --minutes 15
echo "done: check it with npm run storybook:eval and npm run budget:calibrate -- --model models/storybook"

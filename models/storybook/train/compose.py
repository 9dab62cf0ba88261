"""Scene composer: the storybook model's training pictures and captions.

A scene is a procedural background for a setting (forest, vineyard, sea, castle hall...), lit for a time of
day (day, dusk, night with stars) with optional weather (rain, snow), and one to three Twemoji subjects at
varied sizes and places, flipped at random. Its caption uses the words our planner writes ("a fox and a
bunch of grapes in a vineyard at dusk"), varied in wording and order, sometimes with placement words ("on
the left", "in the sky"), an action verb or a style phrase the model must learn to ignore.

Deterministic: compose(rng) with a seeded numpy Generator gives the same picture and caption every time.
Twemoji graphics (c) Twitter, Inc and other contributors, CC-BY 4.0 (package emoji-datasource-twitter).
"""
import json
import os

import numpy as np
from PIL import Image

from subjects import subject_set

SIZE = 128
TWEMOJI_DIR = os.environ.get('TWEMOJI_DIR', '/work/cache/twemoji/package')

SETTINGS = {
    # name: (caption phrases, outdoor?)
    'forest': (['in a forest', 'in the forest', 'in the woods', 'in a deep forest'], True),
    'field': (['in a field', 'in a meadow', 'in a green field'], True),
    'vineyard': (['in a vineyard', 'among the vines'], True),
    'sea': (['by the sea', 'at sea', 'on the sea', 'on the ocean'], True),
    'beach': (['on a beach', 'on the beach', 'on the seashore'], True),
    'river': (['by a river', 'by the river', 'on a riverbank'], True),
    'snow': (['in a snowy field', 'in the snow', 'in a winter landscape'], True),
    'mountains': (['in the mountains', 'on a mountain path', 'among mountains'], True),
    'village': (['on a village street', 'in a village', 'in a town square'], True),
    'castle hall': (['in a castle hall', 'in a great hall', 'in a throne room', 'inside a castle'], False),
    'cottage room': (['in a cottage room', 'in a cottage', 'in a cosy room', 'in a kitchen'], False),
    'desert': (['in a desert', 'in the desert', 'among sand dunes'], True),
    'garden': (['in a garden', 'in the garden', 'in a flower garden'], True),
    'cave': (['in a cave', 'in a dark cave'], False),
    'lake': (['by a lake', 'by the lake', 'by a pond'], True),
    'night sky': (['under the night sky', 'under a starry sky'], True),
}
TIMES = {
    'day': ['', '', 'by day', 'in the daytime', 'on a sunny day', 'in the morning'],
    'dusk': ['at dusk', 'at sunset', 'in the evening', 'at twilight'],
    'night': ['at night', 'at night', 'on a starry night', 'in the night'],
}
WEATHER = {'rain': ['in the rain', 'on a rainy day', 'in the pouring rain'],
           'snow': ['in falling snow', 'while snow falls', 'in a snowstorm']}
STYLES = ['watercolour', 'storybook illustration', "children's book illustration", 'oil painting',
          'soft colours', 'digital art', 'highly detailed', 'cinematic lighting', 'pastel colours',
          'picture book, whimsical', 'ink and wash', 'flat colours, simple shapes', 'fairy tale art',
          'warm light', 'masterpiece, best quality', 'studio ghibli style', 'gouache']
VERBS = ['looking at', 'next to', 'beside', 'near', 'with', 'and', 'and', 'and', 'facing', 'watching',
         'running to', 'walking towards', 'talking to', 'leaping at', 'sitting by']
NUMBERS = {2: 'two', 3: 'three'}
# Negative-prompt phrases users and our story defaults send. Training pairs some of the caption dropout
# with them, so they encode close to the unconditional and classifier-free guidance stays in range.
NEGATIVES = ['', 'blurry', 'text, watermark', 'blurry, text, watermark', 'lowres, bad anatomy, worst quality',
             'ugly, deformed', 'low quality, jpeg artifacts', 'signature, watermark, text, blurry',
             'deformed, disfigured, extra limbs', 'cropped, out of frame', 'nsfw', 'people, text']


def _load_sprites(subjects):
    index = {}
    with open(os.path.join(TWEMOJI_DIR, 'emoji.json')) as f:
        for e in json.load(f):
            for s in e['short_names']:
                index[s] = e['image']
    sprites = {}
    for s in subjects:
        path = os.path.join(TWEMOJI_DIR, 'img', 'twitter', '64', index[s.emoji])
        img = Image.open(path).convert('RGBA')
        sprites[s.emoji] = img.crop(img.getbbox())
    return sprites


def _gradient(top, bottom, h):
    t = np.linspace(0, 1, h)[:, None]
    return (np.array(top)[None, :] * (1 - t) + np.array(bottom)[None, :] * t)


SKY = {'day': ((96, 160, 232), (196, 228, 250)), 'dusk': ((64, 56, 128), (250, 152, 96)),
       'night': ((8, 12, 40), (34, 44, 92))}
LIGHT = {'day': (1.0, (0, 0, 0)), 'dusk': (0.8, (40, 10, -20)), 'night': (0.42, (-5, 0, 30))}


class Composer:
    def __init__(self, subjects='staples'):
        self.subjects = subject_set(subjects)
        self.sprites = _load_sprites(self.subjects)
        background = [s for s in subject_set('all') if s.emoji in ('evergreen_tree', 'deciduous_tree', 'house',
                                                                  'tulip', 'grapes', 'cactus')]
        self.decor = _load_sprites(background)

    # -- backgrounds -------------------------------------------------------------------------------
    def _sprite(self, canvas, name, cx, bottom, height, flip=False, shade=1.0, table=None):
        src = (table or self.sprites)[name]
        w = max(1, round(src.width * height / src.height))
        img = src.resize((w, max(1, round(height))), Image.LANCZOS)
        if flip:
            img = img.transpose(Image.FLIP_LEFT_RIGHT)
        if shade != 1.0:
            r, g, b, a = img.split()
            img = Image.merge('RGBA', [c.point(lambda v: int(v * shade)) for c in (r, g, b)] + [a])
        canvas.alpha_composite(img, (int(round(cx - w / 2)), int(round(bottom - img.height))))

    def _background(self, rng, setting, time, weather):
        H = SIZE
        arr = np.zeros((H, H, 3), np.float32)
        outdoor = SETTINGS[setting][1]
        horizon = int(rng.integers(46, 66)) if setting != 'night sky' else int(rng.integers(100, 112))
        sky = _gradient(*SKY[time], horizon)
        if weather == 'rain':
            sky = sky * 0.6 + np.array([120, 125, 135]) * 0.4 * (0.5 if time == 'night' else 1)
        arr[:horizon] = sky[:, None, :]
        ground_top, ground_bottom, decor = self._ground(setting, rng)
        arr[horizon:] = _gradient(ground_top, ground_bottom, H - horizon)[:, None, :]
        if setting in ('sea', 'beach', 'lake', 'river'):
            self._water(arr, rng, setting, horizon)
        if setting == 'mountains':
            for _ in range(int(rng.integers(2, 4))):
                cx, hw, peak = rng.uniform(0, H), rng.uniform(28, 50), horizon - rng.uniform(22, 40)
                for y in range(int(peak), horizon):
                    half = hw * (y - peak) / (horizon - peak)
                    x0, x1 = int(max(0, cx - half)), int(min(H, cx + half))
                    snow = y < peak + (horizon - peak) * 0.3
                    arr[y, x0:x1] = (235, 240, 248) if snow else (110, 104, 130)
        if setting == 'desert':
            xs = np.arange(H)
            for k in range(2):
                ph = rng.uniform(0, 6.28)
                top = horizon + 10 + 16 * k + 5 * np.sin(xs / 17 + ph)
                for x in xs:
                    arr[int(top[x]):, x] *= 0.93
        if setting == 'vineyard':
            for k, y in enumerate(range(horizon + 4, H, 9)):
                arr[y:y + 3] = (70, 110, 40)
                for x in range(int(rng.integers(0, 6)), H, 6):
                    arr[max(y - 2, 0):y, x:x + 2] = (110, 50, 120)
        if setting in ('castle hall', 'cottage room', 'cave'):
            self._indoor(arr, rng, setting, time, horizon)
        if outdoor and time == 'night':
            for _ in range(int(rng.integers(20, 45))):
                y, x = int(rng.integers(0, max(horizon - 4, 2))), int(rng.integers(0, H))
                arr[y, x] = (255, 255, 230)
                if rng.random() < 0.3 and y + 1 < horizon and x + 1 < H:
                    arr[y:y + 2, x:x + 2] = (255, 250, 200)
        # Light: darken and tint the ground for dusk and night (the sky is already drawn for its time).
        scale, tint = LIGHT[time]
        if outdoor:
            arr[horizon:] = arr[horizon:] * scale + np.array(tint)
        elif setting != 'cave':
            arr[:] = arr * (0.35 + 0.65 * scale) + np.array(tint)
        canvas = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).convert('RGBA')
        shade = (0.35 + 0.65 * scale) if outdoor else 0.6 + 0.4 * scale
        for name, count, height in decor:
            n = int(rng.integers(count // 2 + 1, count + 1))
            for x in np.sort(rng.uniform(-4, H + 4, n)):
                self._sprite(canvas, name, x, horizon + rng.uniform(1, 5), height * rng.uniform(0.8, 1.2),
                             flip=rng.random() < 0.5, shade=shade, table=self.decor)
        if setting == 'garden':
            for _ in range(int(rng.integers(4, 9))):
                self._sprite(canvas, 'tulip', rng.uniform(0, H), rng.uniform(horizon + 12, H), 9,
                             shade=shade, table=self.decor)
        return canvas, horizon

    def _ground(self, setting, rng):
        g = {
            'forest': ((50, 112, 50), (34, 84, 34), [('evergreen_tree', 14, 26), ('deciduous_tree', 6, 24)]),
            'field': ((126, 196, 84), (96, 170, 64), []),
            'vineyard': ((150, 150, 80), (120, 130, 60), []),
            'sea': ((40, 104, 184), (24, 70, 150), []),
            'beach': ((236, 212, 150), (222, 192, 128), []),
            'river': ((110, 180, 80), (80, 150, 60), [('deciduous_tree', 4, 18)]),
            'snow': ((236, 242, 250), (214, 226, 242), [('evergreen_tree', 8, 18)]),
            'mountains': ((120, 150, 90), (96, 124, 70), []),
            'village': ((150, 146, 140), (118, 114, 110), [('house', 7, 22)]),
            'castle hall': ((150, 40, 48), (120, 28, 36), []),
            'cottage room': ((150, 104, 64), (120, 80, 48), []),
            'desert': ((232, 190, 120), (214, 168, 100), [('cactus', 3, 14)]),
            'garden': ((90, 170, 70), (70, 150, 56), [('deciduous_tree', 3, 20)]),
            'cave': ((92, 76, 64), (70, 58, 48), []),
            'lake': ((104, 170, 80), (84, 150, 64), [('evergreen_tree', 5, 16)]),
            'night sky': ((30, 50, 40), (20, 36, 30), []),
        }[setting]
        return g

    def _water(self, arr, rng, setting, horizon):
        H = SIZE
        if setting == 'beach':
            sand = horizon + int(rng.integers(14, 26))
            arr[horizon:sand] = _gradient((50, 120, 200), (80, 160, 210), sand - horizon)[:, None, :]
            band = slice(horizon, sand)
        elif setting == 'river':
            top = horizon + int(rng.integers(18, 30))
            arr[top:top + 22] = _gradient((70, 140, 210), (50, 110, 190), 22)[:, None, :]
            band = slice(top, top + 22)
        elif setting == 'lake':
            top = horizon + 4
            bottom = horizon + int(rng.integers(26, 40))
            arr[top:bottom] = _gradient((60, 130, 200), (40, 100, 180), bottom - top)[:, None, :]
            band = slice(top, bottom)
        else:
            band = slice(horizon, H)
        for y in range(band.start + 3, band.stop, 6):
            for x in range(int(rng.integers(0, 10)), H, 12):
                arr[y, x:x + 5] = np.minimum(arr[y, x:x + 5] + 50, 255)

    def _indoor(self, arr, rng, setting, time, horizon):
        H = SIZE
        if setting == 'castle hall':
            wall = np.full((horizon, H, 3), (128, 124, 120), np.float32)
            for y in range(0, horizon, 8):
                wall[y, :] = (96, 92, 90)
                off = 0 if (y // 8) % 2 == 0 else 8
                wall[y:y + 8, off::16] = (96, 92, 90)
            arr[:horizon] = wall
            for x in (int(rng.integers(10, 30)), int(rng.integers(98, 118))):  # banners
                arr[6:34, x - 5:x + 5] = (170, 30, 40)
                arr[6:34, x - 1:x + 1] = (230, 190, 60)
            arr[horizon:, 44:84] = arr[horizon:, 44:84] * 0.8 + np.array((60, 0, 0))  # carpet
        elif setting == 'cottage room':
            arr[:horizon] = (168, 120, 76)
            for x in range(0, H, 10):
                arr[:horizon, x] = (130, 90, 56)
            wx = int(rng.integers(20, 90))
            sky = SKY[time][1]
            arr[10:34, wx:wx + 24] = sky
            arr[10:34, wx + 11:wx + 13] = (110, 70, 40)
            arr[21:23, wx:wx + 24] = (110, 70, 40)
        else:  # cave
            arr[:horizon] = (60, 48, 40)
            yy, xx = np.mgrid[0:horizon, 0:H]
            open_ = ((xx - 64) ** 2 / 50 ** 2 + (yy - horizon) ** 2 / (horizon - 6) ** 2) < 1
            arr[:horizon][open_] = (84, 70, 58)

    # -- subjects and captions ---------------------------------------------------------------------
    def compose(self, rng):
        setting = list(SETTINGS)[int(rng.integers(0, len(SETTINGS)))]
        time = 'night' if setting == 'night sky' else ['day', 'day', 'dusk', 'night'][int(rng.integers(0, 4))]
        weather = None
        if SETTINGS[setting][1] and setting != 'night sky' and rng.random() < 0.16:
            weather = 'rain' if rng.random() < 0.5 else 'snow'
        canvas, horizon = self._background(rng, setting, time, weather)

        n = int(rng.choice([1, 2, 3], p=[0.4, 0.4, 0.2]))
        picks = list(rng.choice(len(self.subjects), size=n, replace=False))
        if n >= 2 and rng.random() < 0.08:
            picks[1] = picks[0]  # "two foxes"
        chosen = [self.subjects[i] for i in picks]
        slots = {1: [rng.uniform(40, 88)], 2: [rng.uniform(22, 46), rng.uniform(82, 106)],
                 3: [rng.uniform(16, 30), rng.uniform(56, 72), rng.uniform(98, 112)]}[n]
        order = rng.permutation(n)
        base = {1: (60, 88), 2: (46, 66), 3: (38, 52)}[n]
        scale, _ = LIGHT[time]
        placed = []
        for k, s in enumerate(chosen):
            x = slots[order[k]]
            h = rng.uniform(*base) * {'small': 0.72, 'building': 1.15, 'sky': 0.62}.get(s.kind, 1.0)
            if s.kind == 'sky':
                bottom = rng.uniform(h + 2, max(h + 3, min(horizon + 4, h + 40)))
            else:
                bottom = rng.uniform(min(max(horizon + 18, 92), 120), 125)
            placed.append((s, x, bottom, h))
        shade = 1.0 if time == 'day' else (0.86 if time == 'dusk' else 0.72)
        for s, x, bottom, h in sorted(placed, key=lambda p: p[2]):  # far (higher) subjects first
            self._sprite(canvas, s.emoji, x, bottom, h, flip=rng.random() < 0.5, shade=shade)
        img = canvas.convert('RGB')
        if weather:
            img = self._weather(img, rng, weather)
        caption = self._caption(rng, placed, setting, time, weather)
        meta = {'setting': setting, 'time': time, 'weather': weather,
                'subjects': [s.word for s, *_ in placed], 'x': [round(float(x), 1) for _, x, _, _ in placed]}
        return img, caption, meta

    def _weather(self, img, rng, weather):
        arr = np.asarray(img).astype(np.float32)
        H = SIZE
        if weather == 'rain':
            for _ in range(70):
                x, y = int(rng.integers(0, H)), int(rng.integers(0, H - 6))
                for k in range(6):
                    xx = x - k // 2
                    if 0 <= xx < H:
                        arr[y + k, xx] = arr[y + k, xx] * 0.4 + np.array((190, 200, 230)) * 0.6
        else:
            for _ in range(90):
                x, y = int(rng.integers(0, H - 1)), int(rng.integers(0, H - 1))
                arr[y:y + 2, x:x + 2] = (250, 250, 255)
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))

    def _subject_phrase(self, rng, s, count=1):
        if count > 1:
            return f'{NUMBERS[count]} {s.plural_word()}'
        word = s.word
        if s.alt and rng.random() < 0.25:
            word = s.alt[int(rng.integers(0, len(s.alt)))]
        art = s.article
        if art == 'a' and word[0] in 'aeiou':
            art = 'an'
        if art == 'an' and word[0] not in 'aeiou':
            art = 'a'
        if art in ('a', 'an') and rng.random() < 0.15:
            art = 'the'
        return f'{art} {word}'.strip()

    def _caption(self, rng, placed, setting, time, weather):
        # Group repeats ("two foxes"); keep first-seen order, shuffled sometimes.
        groups = []
        for s, x, _, _ in placed:
            for g in groups:
                if g[0] is s:
                    g[1] += 1
                    break
            else:
                groups.append([s, 1, x])
        if rng.random() < 0.5:
            rng.shuffle(groups)
        use_place = rng.random() < 0.3
        phrases = []
        for s, count, x in groups:
            p = self._subject_phrase(rng, s, count)
            if use_place and count == 1:
                if s.kind == 'sky':
                    p += ' in the sky'
                elif x < 50:
                    p += ' on the left'
                elif x > 78:
                    p += ' on the right'
                else:
                    p += ' in the middle'
            phrases.append(p)
        if len(phrases) == 1:
            subj = phrases[0]
        elif rng.random() < 0.3:
            verb = VERBS[int(rng.integers(0, len(VERBS)))]
            subj = f' {verb} '.join(phrases) if len(phrases) == 2 else f'{phrases[0]}, {phrases[1]} and {phrases[2]}'
        else:
            subj = ', '.join(phrases[:-1]) + ' and ' + phrases[-1]
        place = SETTINGS[setting][0][int(rng.integers(0, len(SETTINGS[setting][0])))]
        when = TIMES[time][int(rng.integers(0, len(TIMES[time])))]
        wx = WEATHER[weather][int(rng.integers(0, len(WEATHER[weather])))] if weather else ''
        form = rng.random()
        if form < 0.6:
            caption = ' '.join(p for p in (subj, place, when, wx) if p)
        elif form < 0.8:
            caption = ', '.join(p for p in (' '.join(q for q in (place[place.index(' ') + 1:], when) if q), subj, wx) if p)
        else:  # keyword style, as prompts from the LLM planner sometimes read
            bits = [subj] + [p for p in (place, when, wx) if p]
            rng.shuffle(bits)
            caption = ', '.join(bits)
        if rng.random() < 0.3:
            caption += ', ' + STYLES[int(rng.integers(0, len(STYLES)))]
        return caption


if __name__ == '__main__':
    import sys
    out = sys.argv[1] if len(sys.argv) > 1 else '/tmp/compose-samples'
    os.makedirs(out, exist_ok=True)
    c = Composer('staples')
    rng = np.random.default_rng(1)
    tiles = []
    for i in range(16):
        img, cap, meta = c.compose(rng)
        print(i, cap, meta)
        tiles.append(img)
    sheet = Image.new('RGB', (SIZE * 4, SIZE * 4))
    for i, t in enumerate(tiles):
        sheet.paste(t, ((i % 4) * SIZE, (i // 4) * SIZE))
    sheet.save(os.path.join(out, 'sheet.png'))

"""The storybook model's subjects: the caption word(s) for each, the Twemoji graphic that draws it, and
where it belongs in a scene. The first block is every staple issue 11 lists (what fairy tales and fables
need); EXTRA grows the set when training time allows. `kind` decides placement: 'sky' subjects float in
the upper half, 'small' ones are drawn smaller, the rest stand on the ground line.

Words are what our planner writes ("an old woman", "a bunch of grapes"); `alt` lists other words a
caption may use for the same picture (so "grandmother" and "old woman" draw the same figure).
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Subject:
    word: str                 # caption word, singular
    emoji: str                # Twemoji short_name in emoji-datasource-twitter's emoji.json
    kind: str = 'ground'      # ground | sky | small | building
    article: str = 'a'        # 'a', 'an' or '' (for "grapes" written as "a bunch of grapes")
    alt: tuple = field(default_factory=tuple)
    plural: str = ''          # irregular plural; default word + 's'

    def phrase(self, words=None):
        w = words or self.word
        return f'{self.article} {w}'.strip() if self.article else w

    def plural_word(self):
        return self.plural or self.word + 's'


STAPLES = [
    # people and characters
    Subject('king', 'person_with_crown'),
    Subject('princess', 'princess', plural='princesses'),
    Subject('prince', 'prince'),
    Subject('witch', 'female_mage', plural='witches'),
    Subject('wizard', 'male_mage'),
    Subject('fairy', 'fairy', plural='fairies'),
    Subject('mermaid', 'mermaid'),
    Subject('dragon', 'dragon'),
    Subject('unicorn', 'unicorn_face'),
    Subject('ghost', 'ghost'),
    Subject('girl', 'girl', alt=('little girl',)),
    Subject('boy', 'boy', alt=('little boy',)),
    Subject('baby', 'baby', plural='babies'),
    Subject('old woman', 'older_woman', article='an', alt=('grandmother',), plural='old women'),
    Subject('old man', 'older_man', article='an', alt=('grandfather',), plural='old men'),
    Subject('farmer', 'male-farmer'),
    Subject('soldier', 'guardsman', alt=('guard',)),
    # animals
    Subject('fox', 'fox_face', plural='foxes'),
    Subject('wolf', 'wolf', plural='wolves'),
    Subject('rabbit', 'rabbit2', alt=('hare', 'bunny')),
    Subject('cat', 'cat2'),
    Subject('dog', 'dog2'),
    Subject('bear', 'bear'),
    Subject('mouse', 'mouse2', plural='mice'),
    Subject('owl', 'owl', article='an'),
    Subject('crow', 'black_bird', alt=('raven',)),
    Subject('frog', 'frog'),
    Subject('turtle', 'turtle', alt=('tortoise',)),
    Subject('horse', 'racehorse'),
    Subject('pig', 'pig2'),
    Subject('cow', 'cow2'),
    Subject('sheep', 'sheep', plural='sheep'),
    Subject('lion', 'lion_face'),
    Subject('tiger', 'tiger2'),
    Subject('elephant', 'elephant', article='an'),
    Subject('duck', 'duck'),
    Subject('swan', 'swan'),
    Subject('fish', 'tropical_fish', plural='fish'),
    Subject('snake', 'snake'),
    Subject('deer', 'deer', plural='deer'),
    Subject('monkey', 'monkey'),
    Subject('squirrel', 'chipmunk'),
    Subject('hedgehog', 'hedgehog'),
    Subject('butterfly', 'butterfly', kind='small', plural='butterflies'),
    Subject('bee', 'bee', kind='small'),
    Subject('spider', 'spider', kind='small'),
    # nature
    Subject('tree', 'deciduous_tree'),
    Subject('pine tree', 'evergreen_tree'),
    Subject('flower', 'tulip', kind='small'),
    Subject('mushroom', 'mushroom', kind='small'),
    Subject('mountain', 'snow_capped_mountain', kind='building'),
    Subject('sun', 'sunny', kind='sky', article='the'),
    Subject('moon', 'crescent_moon', kind='sky', article='the'),
    Subject('star', 'star', kind='sky'),
    Subject('cloud', 'cloud', kind='sky'),
    Subject('rainbow', 'rainbow', kind='sky'),
    # buildings and objects
    Subject('house', 'house', kind='building'),
    Subject('castle', 'european_castle', kind='building'),
    Subject('tent', 'tent', kind='building'),
    Subject('boat', 'sailboat'),
    Subject('ship', 'ship', kind='building'),
    Subject('crown', 'crown', kind='small'),
    Subject('sword', 'dagger_knife', kind='small'),
    Subject('key', 'old_key', kind='small'),
    Subject('book', 'closed_book', kind='small'),
    Subject('lantern', 'lantern', kind='small'),
    Subject('candle', 'candle', kind='small'),
    Subject('apple', 'apple', kind='small', article='an'),
    Subject('grapes', 'grapes', kind='small', article='a bunch of', plural='bunches of grapes'),
    Subject('cake', 'cake', kind='small'),
    Subject('bread', 'bread', kind='small', article='a loaf of', plural='loaves of bread'),
    Subject('basket', 'basket', kind='small'),
    Subject('bell', 'bell', kind='small'),
    Subject('gift', 'gift', kind='small', alt=('present',)),
    Subject('umbrella', 'umbrella', kind='small', article='an'),
    Subject('ring', 'ring', kind='small'),
    Subject('gem', 'gem', kind='small', alt=('jewel',)),
    Subject('bag of gold', 'moneybag', kind='small', alt=('sack of gold',), plural='bags of gold'),
    Subject('clock', 'mantelpiece_clock', kind='small'),
    Subject('door', 'door'),
]

# Grown into as training time allows (issue 11: "then grow towards 300 subjects").
EXTRA = [
    Subject('woman', 'woman', plural='women'),
    Subject('man', 'man', plural='men'),
    Subject('vampire', 'vampire'),
    Subject('elf', 'elf', article='an', plural='elves'),
    Subject('genie', 'genie'),
    Subject('troll', 'troll'),
    Subject('teddy bear', 'teddy_bear'),
    Subject('crab', 'crab'),
    Subject('octopus', 'octopus', article='an', plural='octopuses'),
    Subject('whale', 'whale2'),
    Subject('dolphin', 'dolphin'),
    Subject('shark', 'shark'),
    Subject('bat', 'bat'),
    Subject('penguin', 'penguin'),
    Subject('chicken', 'chicken', alt=('hen',)),
    Subject('rooster', 'rooster'),
    Subject('parrot', 'parrot'),
    Subject('peacock', 'peacock'),
    Subject('goat', 'goat'),
    Subject('camel', 'camel'),
    Subject('snail', 'snail', kind='small'),
    Subject('ladybug', 'ladybug', kind='small', plural='ladybugs'),
    Subject('cactus', 'cactus', plural='cacti'),
    Subject('palm tree', 'palm_tree'),
    Subject('pumpkin', 'jack_o_lantern'),
    Subject('carrot', 'carrot', kind='small'),
    Subject('cheese', 'cheese_wedge', kind='small', article='a piece of', plural='pieces of cheese'),
    Subject('fire', 'fire', article='a', alt=('campfire',)),
    Subject('shield', 'shield', kind='small'),
    Subject('bow and arrow', 'bow_and_arrow', kind='small', plural='bows and arrows'),
    Subject('crystal ball', 'crystal_ball', kind='small'),
    Subject('magic wand', 'magic_wand', kind='small'),
    Subject('broom', 'broom', kind='small'),
    Subject('scroll', 'scroll', kind='small'),
    Subject('egg', 'egg', kind='small', article='an'),
    Subject('teapot', 'teapot', kind='small'),
    Subject('axe', 'axe', kind='small', article='an', plural='axes'),
    Subject('bucket', 'bucket', kind='small'),
    Subject('violin', 'violin', kind='small'),
    Subject('drum', 'drum_with_drumsticks', kind='small'),
    Subject('kite', 'kite', kind='sky'),
    Subject('balloon', 'balloon', kind='sky'),
    Subject('train', 'steam_locomotive'),
    Subject('car', 'car'),
    Subject('church', 'church', kind='building'),
    Subject('hut', 'hut', kind='building'),
    Subject('fountain', 'fountain', kind='building'),
    Subject('snowman', 'snowman_without_snow', plural='snowmen'),
    Subject('christmas tree', 'christmas_tree'),
    Subject('skull', 'skull', kind='small'),
    Subject('trophy', 'trophy', kind='small', plural='trophies'),
]


def subject_set(name: str):
    """'staples' (the issue's list) or 'all' (staples + EXTRA)."""
    return list(STAPLES) if name == 'staples' else list(STAPLES) + list(EXTRA)

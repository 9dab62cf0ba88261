/**
 * Built-in English words the toy tokenizer learns its BPE merges from: the vocabulary of story
 * illustration prompts (people and creatures, places, colours, moods, light, art styles, camera words)
 * plus common function words. Public-domain passages in examples/*.txt are added when present.
 * GENERIC_WORDS are the image-quality and artifact words negative prompts are made of; they are
 * built-in too (one token each), and the toy text encoder gives them almost no prompt-specific
 * direction (see generic-tokens.ts), as real CLIP encodings of such words sit near the common direction.
 */
export const STORY_WORDS = `
a an the and or of in on at to from with without by for under over above below behind beside between
into onto through across near far inside outside is are was were be been being has have had do does did
this that these those it its he she they them his her their we our you your i me my who what where when
man woman boy girl child children king queen prince princess knight wizard witch sorcerer warrior soldier
pirate sailor captain farmer merchant hunter thief beggar monk priest nun scholar student teacher doctor
mother father sister brother grandmother grandfather baby family friend stranger traveler wanderer giant
dwarf elf fairy ghost spirit angel demon monster dragon troll goblin ogre vampire werewolf mermaid robot
detective explorer astronaut scientist painter poet musician dancer singer cook baker blacksmith shepherd
fox wolf bear deer rabbit hare mouse rat cat dog horse pony donkey cow pig sheep goat lamb chicken duck
goose swan owl eagle hawk raven crow sparrow robin dove parrot peacock fish whale dolphin shark octopus
crab turtle frog toad snake lizard spider bee butterfly moth ant beetle dragonfly lion tiger leopard
elephant giraffe zebra monkey ape gorilla squirrel badger otter beaver hedgehog bat unicorn phoenix griffin
forest wood woods tree trees oak pine willow birch garden meadow field valley hill mountain mountains cliff
cave river stream lake pond sea ocean shore beach island desert dunes jungle swamp marsh glacier volcano
castle palace tower dungeon village town city street alley market tavern inn church cathedral temple
ruins house cottage cabin hut barn farm mill bridge road path gate wall door window roof chimney fireplace
kitchen library room hall bedroom attic cellar ship boat harbor lighthouse train station carriage wagon
sky cloud clouds sun moon star stars rain snow storm thunder lightning wind fog mist dawn dusk sunset
sunrise morning evening night midnight winter spring summer autumn fall season weather rainbow shadow
red orange yellow green blue purple violet pink brown black white gray grey golden silver crimson scarlet
amber emerald azure indigo teal turquoise ivory ebony pale dark bright light deep warm cool pastel vivid
happy sad angry calm peaceful gloomy joyful lonely mysterious eerie cozy tense dramatic serene melancholy
hopeful fearful brave proud gentle fierce wild quiet silent loud ancient old young new tiny small little
big large huge enormous tall short long wide narrow round tall thin fat heavy soft hard smooth rough
painting drawing sketch illustration watercolor oil acrylic ink charcoal pencil pastel gouache fresco
engraving woodcut etching lithograph mosaic collage poster comic manga anime cartoon storybook
impressionist expressionist surreal realistic photorealistic cinematic baroque renaissance gothic
victorian medieval fantasy science fiction steampunk cyberpunk minimalist abstract romantic classical
portrait landscape closeup close wide shot view angle perspective aerial overhead lighting light
illuminated glowing shining shimmering sparkling candle lantern torch fire flame smoke ash dust
detailed intricate highly quality masterpiece best beautiful lovely pretty ugly elegant simple ornate
color colors colour colours texture pattern style art artist artwork canvas paper brush stroke strokes
walking running flying swimming sitting standing sleeping dreaming reading writing singing dancing
fighting laughing crying smiling looking holding carrying riding climbing falling hiding waiting
watching talking whispering shouting playing eating drinking searching finding lost found broken
sword shield bow arrow spear axe staff wand crown ring necklace key map book letter scroll candle
cup bowl bottle basket bag box chest coin gold treasure jewel gem crystal mirror clock bell lamp
cloak hood hat boots dress gown coat armor robe scarf gloves mask feather flower flowers rose lily
daisy tulip sunflower grass leaf leaves branch root roots vine moss mushroom stone stones rock rocks
sand mud ice water waves foam tide bubbles blood bone bones skull heart eye eyes hand hands face hair
once upon time there lived long ago far away kingdom land world journey quest adventure tale story
dream memory secret magic spell curse wish promise battle war peace love hate fear hope death life
chapter scene panel page end beginning cried said asked answered replied thought knew saw heard felt
went came took gave made found looked turned ran walked stood sat lay fell rose began seemed left
upon very much more most some any all every each other another same such only own just then now
never always often again still even also well here there not no yes up down out off back away
one two three four five six seven eight nine ten hundred thousand first second last next
`;

/** Quality / artifact vocabulary of negative prompts ("text, watermark, blurry", "ugly, deformed"). */
export const GENERIC_WORDS = `
text watermark signature logo username blurry blurred blur lowres jpeg artifacts compression noisy grainy
ugly deformed disfigured distorted mutated mutation malformed bad worst poor quality extra missing limbs
fingers cropped duplicate error oversaturated overexposed underexposed masterpiece
`;

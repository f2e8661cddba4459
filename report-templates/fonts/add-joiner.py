"""Adds a zero-width empty glyph for U+200B, U+FEFF and U+2060 to the serif subset.

The report's line-breaking preparation (src/report/pdf.rs, prepare_text) puts
U+FEFF where a line must not break; a face without a glyph for it would make
the layout engine fall back per character and lose the joiner. Usage:
    python3 add-joiner.py SUBSET.otf OUT.otf
"""
import sys
from fontTools.ttLib import TTFont
from fontTools.misc.psCharStrings import T2CharString
f = TTFont(sys.argv[1])
cff = f['CFF '].cff
top = cff.topDictIndex[0]
order = list(f.getGlyphOrder())
name = 'cid65500'  # an unused CID (the face's highest is 65223, CIDCount 65535)
cs_index = top.CharStrings.charStringsIndex
fd = 0
priv = top.FDArray[fd].Private
cs = T2CharString(program=['endchar'], private=priv, globalSubrs=cff.GlobalSubrs)
cs_index.append(cs)
top.CharStrings.charStrings[name] = len(cs_index) - 1
top.FDSelect.append(fd)
if name not in top.charset:
    top.charset.append(name)
f.setGlyphOrder(order + [name])
f['hmtx'][name] = (0, 0)
if 'vmtx' in f: f['vmtx'][name] = (1000, 880)
for t in f['cmap'].tables:
    if t.isUnicode():
        t.cmap[0xFEFF] = name
        t.cmap[0x2060] = name
        t.cmap[0x200B] = name
f['maxp'].numGlyphs = len(f.getGlyphOrder())
f.save(sys.argv[2])
g = TTFont(sys.argv[2]); cm = g.getBestCmap(); print(cm[0xFEFF], g['hmtx'][cm[0xFEFF]], len(g.getGlyphOrder()))

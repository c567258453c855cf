"""Normalising Chinese place names as planners and PDFs write them.

"江阴市 青阳镇", "青陽鎮", "ＱＩＮＧ", "一带三片多 点": widths, scripts, stray spaces and
administrative suffixes must not stop a match. Traditional -> simplified uses OpenCC, not a
hand-written table.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: township-level suffixes, longest first so 街道办事处 wins over 办事处
TOWNSHIP_SUFFIXES: tuple[str, ...] = ("街道办事处", "街道", "办事处", "镇", "乡")
#: county- and prefecture-level suffixes
COUNTY_SUFFIXES: tuple[str, ...] = ("自治县", "新区", "市", "区", "县")
PROVINCES: tuple[str, ...] = ("江苏省", "浙江省", "上海市", "安徽省", "江苏", "浙江", "上海", "安徽")

_SPACE_RE = re.compile(r"\s+")
_PUNCT_RE = re.compile(r"[「」『』“”\"'‘’《》〈〉·・,，。、;；:：!！?？]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (OpenCC ``t2s``)."""
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """The form names are compared in: NFKC (full width -> half width), simplified, no spaces or quotes."""
    text = unicodedata.normalize("NFKC", str(text))
    text = to_simplified(text)
    text = _SPACE_RE.sub("", text)
    text = _PUNCT_RE.sub("", text)
    return text.lower()


def strip_suffix(name: str, suffixes: tuple[str, ...] = TOWNSHIP_SUFFIXES) -> str:
    """"青阳镇" -> "青阳"; keeps names that would become a single character ("镇" alone stays)."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def base_forms(name: str) -> list[str]:
    """The keys a name is indexed under: itself and, if different, without its township suffix."""
    norm = normalize(name)
    forms = [norm]
    stripped = strip_suffix(norm)
    if stripped != norm:
        forms.append(stripped)
    return forms

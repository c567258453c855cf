"""Read a plan text into cleaned, citable lines.

Specs cite plans by file name and 1-based line number, and their quotes must be
verbatim substrings of the cited lines.  The raw texts are not fit for that
comparison as they stand (PDF spaces inside words, pasted footnotes, and one file
that is traditional Chinese with pinyin notes and GBK mojibake), so this module
cleans each line *in place*: line N of the cleaned text always comes from line N
of the file, and the raw line is kept beside it.

Cleaning rules (one rule for every file, so quotes compare consistently):

* Full-width ASCII letters and digits (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A)
  become ASCII; U+3000, NBSP and other Unicode spaces become an ASCII space;
  zero-width characters are removed.  **All punctuation is kept as written**:
  Chinese punctuation such as ，。、“”（）：； is never folded to ASCII (no
  NFKC), so （一） stays （一） and (二) stays (二).
* White space between two "CJK-ish" characters (ideographs, 〇, CJK and
  full-width punctuation, curly quotes, dashes) is removed, because Chinese text
  has no spaces and PDF extraction inserted them ("一带三片多 点" → "一带三片多点");
  spaces next to Latin letters or digits are kept (collapsed to one).
* The damaged Wuxi file (003_…) is additionally repaired: GBK mojibake is
  re-decoded where the bytes survive (see ``_repair_mojibake``), pinyin notes
  such as ``發(fā)`` are dropped, and the text is converted to simplified
  characters with OpenCC ``t2s``.
* Footnotes pasted into sentences (000_…) are cut out of ``text`` and kept in
  ``PlanLine.notes`` (see ``_strip_footnotes`` for what is and is not detected).

``squash`` removes all white space; quote checks compare ``squash(quote)`` with
``squash(cleaned text)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from geocoding.normalize import to_simplified

__all__ = ["PlanLine", "PlanText", "load_plan", "clean_line", "squash", "is_damaged_wuxi"]

# --------------------------------------------------------------------------- basics

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def squash(text: str) -> str:
    """Remove all white space (ASCII, NBSP, U+3000, zero-width): quotes compare this way."""
    return "".join(text.translate(_ZERO_WIDTH).split())


def _fold_width(text: str) -> str:
    """Full-width ASCII letters/digits → ASCII, odd spaces → ' '; punctuation untouched."""
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
            out.append(chr(o - 0xFEE0))
        elif ch in "\u200b\u200c\u200d\u2060\ufeff":
            continue
        elif ch != "\n" and ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _is_cjkish(ch: str) -> bool:
    """True for characters that Chinese typesetting never separates with spaces."""
    o = ord(ch)
    return (
        0x3400 <= o <= 0x4DBF  # CJK ext A
        or 0x4E00 <= o <= 0x9FFF  # CJK unified
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= o <= 0x2FA1F  # ext B+ and compat supplement
        or 0x3001 <= o <= 0x303F  # CJK punctuation incl. 〇 《》「」【】
        or 0xFF01 <= o <= 0xFF0F  # ！＂＃＄％＆＇（）＊＋，－．／
        or 0xFF1A <= o <= 0xFF20  # ：；＜＝＞？＠
        or 0xFF3B <= o <= 0xFF40
        or 0xFF5B <= o <= 0xFF65
        or ch in "“”‘’—–…·•"
    )


_SPACE_RUN = re.compile(r"\s+")


def _fix_spaces(text: str) -> str:
    """Drop spaces between CJK-ish characters, collapse the others, strip the ends."""
    parts = _SPACE_RUN.split(text.strip())
    if len(parts) == 1:
        return parts[0]
    out = [parts[0]]
    for part in parts[1:]:
        if not part:
            continue
        prev = out[-1]
        if prev and _is_cjkish(prev[-1]) and _is_cjkish(part[0]):
            out[-1] = prev + part
        else:
            out.append(part)
    return " ".join(out)


# --------------------------------------------------------------------------- Wuxi 003

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêḿńňǹ"
#: a pinyin note right after a CJK character: lower-case letters with at least one
#: tone mark / ü / combining mark, optionally a tone digit.  Chinese, numbers and
#: acronyms in parentheses (無錫(江陰)港, (二), (AI)) do not match.
_PINYIN_NOTE = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])"
    r"\((?=[a-z" + _TONED + r"\u0300-\u036f]*[" + _TONED + r"\u0300-\u036f])"
    r"[a-z" + _TONED + r"\u0300-\u036f]{1,8}[1-5]?\)"
)
_PINYIN_NOTE_ANY = re.compile(
    r"\((?=[a-z" + _TONED + r"\u0300-\u036f]*[" + _TONED + r"\u0300-\u036f])"
    r"[a-z" + _TONED + r"\u0300-\u036f]{1,8}[1-5]?\)"
)
#: the tail of a pinyin note whose "(" was eaten by the mojibake ("?chuàng)")
_PINYIN_TAIL = re.compile(r"[a-z" + _TONED + r"\u0300-\u036f]{1,8}[1-5]?\)")

_WUXI_NAME = "003_2119c0a87a8225a9"


def is_damaged_wuxi(text: str, name: str = "") -> bool:
    """Detect the damaged Wuxi text by file name or by its many pinyin notes."""
    if name.startswith(_WUXI_NAME):
        return True
    return len(_PINYIN_NOTE.findall(text)) >= 20


def _gbk_bytes(ch: str) -> bytes | None:
    try:
        return ch.encode("gbk")
    except UnicodeEncodeError:
        return None


@dataclass(frozen=True)
class _WuxiContext:
    """What the document itself tells us for repairing its mojibake.

    ``vocab``: characters used in the undamaged text (a recovered character is
    only trusted if the document uses it elsewhere); ``pinyin``: the characters
    annotated with each pinyin note, to restore a character whose second GBK byte
    was lost but whose pinyin note survived.
    """

    vocab: frozenset[str] = frozenset()
    pinyin: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str) -> "_WuxiContext":
        pinyin: dict[str, set[str]] = {}
        for m in re.finditer(r"([\u3400-\u9fff\uf900-\ufaff])\(([^()]+)\)", text):
            if _PINYIN_NOTE_ANY.fullmatch("(" + m.group(2) + ")"):
                pinyin.setdefault(m.group(2), set()).add(m.group(1))
        body = _PINYIN_NOTE.sub("", text)
        for region in _MOJIBAKE_REGION.finditer(body):
            body = body.replace(region.group(0), "")
        # Chinese numerals number the headings ((一)…(九)); every one is plausible there.
        vocab = frozenset(body) | frozenset("〇一二三四五六七八九十")
        return cls(vocab, {k: frozenset(v) for k, v in pinyin.items()})


#: a mojibake run starts at "?" / U+FFFD and ends where the mis-aligned GBK decoder
#: fell back into step: at the next "?" (plus the remains of an eaten pinyin note)
#: or at a stray ASCII byte (a GBK trail byte read as ASCII, e.g. "┲L就").
_MOJIBAKE_REGION = re.compile(
    r"[?\ufffd]"
    r"[^\s?\ufffd\x21-\x7e]{0,24}"
    r"(?:[?\ufffd](?:" + _PINYIN_TAIL.pattern + r")?|[\x21-\x7e])?"
)


def _is_punct_ok(ch: str) -> bool:
    o = ord(ch)
    return 0x3001 <= o <= 0x303F or 0xFF01 <= o <= 0xFF65 or ch in "“”‘’—…·"


def _drop_unpaired_brackets(text: str) -> str:
    """Remove a bracket whose partner was lost: "（出…" says nothing a reader can use."""
    pairs = {"（": "）", "(": ")"}
    keep = [True] * len(text)
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch in pairs:
            stack.append(i)
        elif ch in pairs.values():
            if stack and pairs[text[stack[-1]]] == ch:
                stack.pop()
            else:
                keep[i] = False
    for i in stack:
        keep[i] = False
    return "".join(ch for ch, k in zip(text, keep) if k)


def _repair_mojibake(line: str, ctx: _WuxiContext) -> str:
    """Re-decode GBK mojibake runs; drop what cannot be recovered.

    Diagnosis from the bytes (see the tests): the damaged lines are GBK text that
    was decoded one byte out of step (the first lead byte is lost and shows as
    "?"), and pairs that were not valid GBK at the wrong alignment were dropped.
    Re-encoding the run to GBK and decoding it again one byte later recovers the
    characters whose two bytes both survived.  Where a pair was dropped the
    re-decoded character is made of two unrelated half characters; such
    characters are rejected unless the document uses them elsewhere (``vocab``).
    A final lead byte whose trail was lost is restored only when the surviving
    pinyin note names exactly one document character with that lead byte.
    """

    def fix(m: re.Match[str]) -> str:
        run = m.group(0)
        tail = ""
        body = run[1:]
        t = re.search(r"[?\ufffd](" + _PINYIN_TAIL.pattern + r")?$", body)
        if t:
            tail = (t.group(1) or "")[:-1]  # pinyin without ")"
            body = body[: t.start()]
        data = bytearray()
        for ch in body:
            b = _gbk_bytes(ch)
            if b is None:
                return ""  # not GBK-born: leave nothing we cannot explain
            data += b
        out: list[str] = []
        i = 1  # the first byte is the trail of the lost leading character
        while i < len(data):
            b = data[i]
            if b < 0x80:
                i += 1  # an ASCII byte where a lead byte should be: noise
                continue
            if i + 1 < len(data):
                pair = bytes(data[i : i + 2])
                i += 2
                try:
                    ch = pair.decode("gbk")
                except UnicodeDecodeError:
                    continue
                if ch in ctx.vocab or _is_punct_ok(ch):
                    out.append(ch)
                continue
            # dangling lead byte: its trail was lost; try the pinyin note
            cands = {c for c in ctx.pinyin.get(tail, ()) if (_gbk_bytes(c) or b"")[:1] == bytes([b])}
            if len(cands) == 1:
                out.append(cands.pop())
            i += 1
        return _drop_unpaired_brackets("".join(out))

    return _MOJIBAKE_REGION.sub(fix, line)


def _clean(raw: str, wuxi: _WuxiContext | None) -> str:
    text = raw.rstrip("\r\n")
    if wuxi is not None:
        text = _repair_mojibake(text, wuxi)
        text = _PINYIN_NOTE.sub("", text)
        text = text.replace("\ufffd", "")
        text = to_simplified(text)
    text = _fold_width(text)
    return _fix_spaces(text)


def clean_line(raw: str, *, damaged_wuxi: bool = False) -> str:
    """Clean one line (see the module docstring).

    With ``damaged_wuxi`` the mojibake repair only has this one line as context;
    ``load_plan`` uses the whole document, which recovers more.
    """
    ctx = _WuxiContext.from_text(raw) if damaged_wuxi else None
    return _clean(raw, ctx)


# --------------------------------------------------------------------------- footnotes

_FOOTNOTE_HEAD = (
    r"\s*(?P<term>“[^“”]{1,24}”[^。:：]{0,24}?(?:[:：]|[,，]\s*即)"
    r"|[^\s\d“”:：,，。、;；][^\s“”:：,，。、;；]{0,14}\s*[:：]"
    r"|\d[\d+A-Za-z]*\s*[:：])"
)
_MAX_FOOTNOTE = 200  # squashed characters; longer "footnotes" are splices we cannot delimit


def _footnote_terms(head: str) -> list[str]:
    """The defined term(s): every quoted term in the head, else the words before the colon."""
    quoted = re.findall(r"“([^“”]+)”", head)
    terms = quoted or [re.split(r"[:：,，]", head)[0]]
    return [t for t in map(squash, terms) if len(t) >= 2]


def _strip_footnotes(texts: list[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Cut footnote definitions that PDF extraction pasted into running text.

    A footnote definition is "N term: explanation" (or "N “term” ,即 …") where N
    follows the document's footnote numbering (1, 2, 3 …, at most two numbers
    may be missing), the term occurs earlier in the document (where it was
    marked), and the definition ends at its first "。" (plus a closing quote) or
    at the end of the line.  Consecutive definitions are cut together.  The
    document must show at least three such definitions, otherwise nothing is
    cut.  Not detected (left in the text, documented): definitions without a
    colon (000 footnote 24), definitions longer than ``_MAX_FOOTNOTE`` or spread
    over two lines (000 footnote 27, whose tail is line 325); the reference
    numbers after the marked terms (“442”14) are left in place.
    """
    cuts: list[list[tuple[int, int]]] = [[] for _ in texts]
    found = 0
    n = 1
    li, col = 0, 0
    prefix_before = ["" for _ in texts]
    acc = ""
    for i, t in enumerate(texts):
        prefix_before[i] = acc
        acc += squash(t)
    while li < len(texts):
        text = texts[li]
        best = None
        for k in (n, n + 1, n + 2):
            for m in re.finditer(r"(?<![\d.+%A-Za-z])" + str(k) + _FOOTNOTE_HEAD, text[col:]):
                start = col + m.start()
                earlier = prefix_before[li] + squash(text[:start])
                if any(term in earlier for term in _footnote_terms(m.group("term"))):
                    if best is None or start < best[1]:
                        best = (k, start, col + m.end())
                    break
        if best is None:
            li, col = li + 1, 0
            continue
        k, start, head_end = best
        stop = re.compile(r"。[”’）)]?").search(text, head_end)
        end = stop.end() if stop else len(text)
        n = k + 1
        found += 1
        if len(squash(text[start:end])) <= _MAX_FOOTNOTE:
            cuts[li].append((start, end))
            col = end
        else:
            col = head_end
    if found < 3:
        return list(texts), [() for _ in texts]
    out_texts, out_notes = [], []
    for text, cs in zip(texts, cuts):
        notes = tuple(text[a:b].strip() for a, b in cs)
        for a, b in reversed(cs):
            text = text[:a] + text[b:]
        out_texts.append(_fix_spaces(text))
        out_notes.append(notes)
    return out_texts, out_notes


# --------------------------------------------------------------------------- API


@dataclass(frozen=True)
class PlanLine:
    """One line of a plan: number and raw text as in the file, plus the cleaned text."""

    number: int  # 1-based line number in the ORIGINAL file
    raw: str  # original text of that line
    text: str  # cleaned text
    notes: tuple[str, ...] = ()  # footnote text cut out of this line (not part of ``text``)


@dataclass(frozen=True)
class PlanText:
    """A cleaned plan whose line numbers are the file's line numbers."""

    path: Path
    lines: tuple[PlanLine, ...]

    def line(self, number: int) -> PlanLine:
        """The line with this 1-based number (IndexError outside the file)."""
        if not 1 <= number <= len(self.lines):
            raise IndexError(f"{self.path.name} has lines 1-{len(self.lines)}, not {number}")
        return self.lines[number - 1]

    def span(self, lines: str) -> str:
        """Cleaned text of "184-185" or "131", joined without separator (as quotes run on)."""
        a, _, b = str(lines).strip().partition("-")
        first, last = int(a), int(b or a)
        if last < first:
            raise ValueError(f"bad line range {lines!r}")
        return "".join(self.line(n).text for n in range(first, last + 1))

    def find(self, quote: str) -> list[int]:
        """Line numbers whose cleaned text contains the quote, ignoring white space."""
        q = squash(quote)
        if not q:
            return []
        return [ln.number for ln in self.lines if q in squash(ln.text)]

    def has_quote(self, lines: str, quote: str) -> bool:
        """Whether the quote is a verbatim substring of the cited lines (white space ignored)."""
        return bool(squash(quote)) and squash(quote) in squash(self.span(lines))


def _split_lines(data: str) -> list[str]:
    """Split on "\\n" only (not str.splitlines, which also breaks on U+2028, \\x0c …)."""
    parts = data.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [p.rstrip("\r") for p in parts]


def load_plan(path: str | Path) -> PlanText:
    """Read a UTF-8 plan text and clean every line, keeping the file's line numbers."""
    path = Path(path)
    data = path.read_text(encoding="utf-8")
    if data.startswith("\ufeff"):
        data = data[1:]
    raws = _split_lines(data)
    ctx = _WuxiContext.from_text(data) if is_damaged_wuxi(data, path.name) else None
    texts = [_clean(r, ctx) for r in raws]
    texts, notes = _strip_footnotes(texts)
    lines = tuple(
        PlanLine(number=i, raw=r, text=t, notes=n)
        for i, (r, t, n) in enumerate(zip(raws, texts, notes), start=1)
    )
    return PlanText(path=path, lines=lines)

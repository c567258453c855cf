"""Tests for geocoding.plantext: cleaning rules, the line map, and the damaged Wuxi text."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from anywhere, without installing the package
    sys.path.insert(0, str(ROOT))

from geocoding.plantext import (  # noqa: E402
    PlanLine,
    PlanText,
    clean_line,
    is_damaged_wuxi,
    load_plan,
    squash,
)

SEEDS = Path(os.environ.get("PLANLAYERS_SEEDS", ROOT.parent / "shared" / "seeds"))
WUXI = "003_2119c0a87a8225a9.txt"
JIANGYIN = "000_9527f18187c740a8.txt"
JINGKOU = "002_ed9b03312977e60b.txt"

PINYIN_NOTE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü\u0300-\u036f]+\d?\)")


def seed(name: str) -> Path:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed text {path} not available")
    return path


# --------------------------------------------------------------------------- squash


def test_squash_removes_every_kind_of_space():
    assert squash(" 一 带\u00a0三\u3000片\t多\u200b点\n") == "一带三片多点"
    assert squash("") == ""


# --------------------------------------------------------------------------- clean_line


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("一带三片多 点", "一带三片多点"),
        ("小 朱 家湾", "小朱家湾"),
        ("二 〇 三五年", "二〇三五年"),
        ("“ 十四五 ”", "“十四五”"),
        ("“ 十四五 ” 时期是京口", "“十四五”时期是京口"),
        ("城区 PM 2.5 平均浓度", "城区 PM 2.5 平均浓度"),  # spaces next to Latin/digits are kept
        ("Hello   World", "Hello World"),
        ("  前后空格  ", "前后空格"),
        ("ＡＢＣ１２３", "ABC123"),  # full-width letters and digits folded
        ("（一）奋力", "（一）奋力"),  # Chinese punctuation is never folded to ASCII
        ("(二)著力", "(二)著力"),
        ("达到\u00a0100% ", "达到 100%"),
    ],
)
def test_clean_line_general(raw, clean):
    assert clean_line(raw) == clean


def test_clean_line_does_not_touch_plain_text():
    text = "以澄江、南闸、云亭、夏港、申港为一核,构建“一核一区、一轴两带”。"
    assert clean_line(text) == text


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("發(fā)展", "发展"),
        ("發(fā)布機構(gòu)", "发布机构"),
        ("深化無錫(江陰)港集疏運體系", "深化无锡(江阴)港集疏运体系"),
        ("中歐(無錫)生命科技創(chuàng)新", "中欧(无锡)生命科技创新"),
        ("中國(無錫)知識產(chǎn)權", "中国(无锡)知识产权"),
        ("均衡縣(市)區(qū)", "均衡县(市)区"),
        ("產(chǎn)業(yè)鏈(集群)", "产业链(集群)"),
        ("(二)著力打造", "(二)著力打造"),
        ("人工智能(AI)和5G(2021)", "人工智能(AI)和5G(2021)"),
    ],
)
def test_clean_line_damaged_wuxi(raw, clean):
    assert clean_line(raw, damaged_wuxi=True) == clean


def test_clean_line_wuxi_mojibake_heading():
    """A heading from 003: GBK read one byte out of step; 諰 (two unrelated half bytes) is dropped."""
    raw = "?。ㄆ撸┲L就江南文化名城新畫卷"
    assert clean_line(raw, damaged_wuxi=True) == "（七）就江南文化名城新画卷"
    # the same run of bytes, re-encoded, really is "（七）" one byte later
    assert "。ㄆ撸┲".encode("gbk")[1:7].decode("gbk") == "（七）"


def test_clean_line_wuxi_unrecoverable_fragment_dropped():
    assert clean_line("文字大?。? [ 大 中 小 ]", damaged_wuxi=True) == "文字大 [ 大中小 ]"


def test_is_damaged_wuxi():
    assert is_damaged_wuxi("", WUXI)
    assert is_damaged_wuxi("發(fā)展" * 25)
    assert not is_damaged_wuxi("无锡(江阴)港 (二) 5G" * 25)


# --------------------------------------------------------------------------- line map


@pytest.fixture()
def tiny(tmp_path: Path) -> PlanText:
    path = tmp_path / "tiny.txt"
    path.write_text("第一 行\n\n小 朱 家湾\u2028同一行\r\n二 〇 三五年", encoding="utf-8")
    return load_plan(path)


def test_line_map_is_exact(tiny: PlanText):
    raws = ["第一 行", "", "小 朱 家湾\u2028同一行", "二 〇 三五年"]
    assert [ln.number for ln in tiny.lines] == [1, 2, 3, 4]
    assert [ln.raw for ln in tiny.lines] == raws
    assert [ln.text for ln in tiny.lines] == [clean_line(r) for r in raws]
    assert tiny.line(3).text == "小朱家湾同一行"  # U+2028 is a space, not a line break
    assert isinstance(tiny.line(1), PlanLine)


def test_line_out_of_range(tiny: PlanText):
    with pytest.raises(IndexError):
        tiny.line(0)
    with pytest.raises(IndexError):
        tiny.line(5)


def test_span(tiny: PlanText):
    assert tiny.span("1") == "第一行"
    assert tiny.span("3-4") == "小朱家湾同一行二〇三五年"
    assert tiny.span(" 1-2 ") == "第一行"


def test_find_is_whitespace_insensitive(tiny: PlanText):
    assert tiny.find("小朱家湾") == [3]
    assert tiny.find("小 朱家 湾") == [3]
    assert tiny.find("二〇三五") == [4]
    assert tiny.find("不存在") == []
    assert tiny.find("  ") == []


def test_trailing_newline_adds_no_line(tmp_path: Path):
    path = tmp_path / "t.txt"
    path.write_text("一\n二\n", encoding="utf-8")
    assert len(load_plan(path).lines) == 2


# --------------------------------------------------------------------------- seed texts


def _raw_lines(path: Path) -> list[str]:
    data = path.read_text(encoding="utf-8")
    lines = data.split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


@pytest.mark.parametrize("name", [JIANGYIN, "001_9687ff92bf81c162.txt", JINGKOU, WUXI, "004_a62dc47a6ad077d3.txt"])
def test_seed_line_map(name):
    path = seed(name)
    plan = load_plan(path)
    raws = _raw_lines(path)
    assert len(plan.lines) == len(raws)
    for number, (ln, raw) in enumerate(zip(plan.lines, raws), start=1):
        assert ln.number == number and ln.raw == raw


def test_wuxi_every_line_is_clean():
    import opencc

    t2s = opencc.OpenCC("t2s")
    plan = load_plan(seed(WUXI))
    assert len(plan.lines) == 52
    for ln in plan.lines:
        t = ln.text
        assert "?" not in t and "\ufffd" not in t, (ln.number, t[:40])
        assert not PINYIN_NOTE.search(t), (ln.number, PINYIN_NOTE.search(t))
        # mojibake leaves bopomofo, box drawing, Greek and accented Latin letters
        bad = [
            c
            for c in t
            if 0x3100 <= ord(c) <= 0x312F
            or 0x2500 <= ord(c) <= 0x257F
            or 0x0370 <= ord(c) <= 0x03FF
            or (0x00C0 <= ord(c) <= 0x024F)
        ]
        assert not bad, (ln.number, bad)
        # a stray ASCII letter glued between Chinese characters is a mojibake trail byte
        assert not re.search(r"[\u4e00-\u9fff）][A-Za-z~][\u4e00-\u9fff]", t), (ln.number, t[:40])
        # simplified: converting again to simplified changes nothing
        assert t2s.convert(t) == t


def test_wuxi_headings_repaired():
    """What the bytes give back; the rest was lost in the damage (著力, 搶占, 三, 六 …)."""
    plan = load_plan(seed(WUXI))
    assert plan.line(8).text == "（一）创新驱动发展新赛道"  # 創 restored from its lead byte + (chuàng)
    assert plan.line(13).text == "(二)著力打造现代产业发展新高地"  # undamaged heading, for comparison
    assert plan.line(18).text == "出融入新发展格局新步伐"
    assert plan.line(33).text == "提丽无锡建设新形象"
    assert plan.line(38).text == "（七）就江南文化名城新画卷"
    assert plan.line(43).text == "（八）足人民美好生活新期待"
    assert plan.line(1).text == "文字大 [ 大中小 ] 浏览次数:"
    assert plan.line(52).text == "来源:无锡市发展和改革委员会"


def test_wuxi_real_parentheses_kept():
    plan = load_plan(seed(WUXI))
    assert plan.find("无锡(江阴)港")
    assert plan.find("中欧(无锡)")
    assert plan.find("太湖湾科创带")
    assert plan.find("盐泰锡常宜铁路")


def test_jiangyin_pasted_footnote_removed():
    plan = load_plan(seed(JIANGYIN))
    assert "整合澄江街道、南闸街道、云亭街道" in squash(plan.span("184-185"))
    assert plan.line(184).text.endswith("南闸街")
    assert any("442" in note for note in plan.line(184).notes)
    assert "获评省级“四好农村路”" in squash(plan.line(18).text)
    assert len(plan.line(18).notes) == 2
    assert plan.line(22).text == ""  # a line made only of footnotes


def test_jingkou_pdf_spaces():
    plan = load_plan(seed(JINGKOU))
    assert plan.find("一带三片多点")
    assert plan.find("小朱家湾")
    assert any("二〇三五年" in ln.text for ln in plan.lines)
    assert any("“十四五”" in ln.text for ln in plan.lines)

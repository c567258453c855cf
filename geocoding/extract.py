"""``planlayers extract``: the place names and transport projects a plan text mentions.

Two passes over the cleaned text (geocoding.plantext keeps the original line numbers):

1. gazetteer names — longest match first, not overlapping, so 霞客湾科学城 wins over 霞客;
2. project patterns — a name ending in 铁路 / 城际 / 轨道 / 高速 / 国道 / 大道 / 过江通道 / 互通 /
   港 / 码头 / 站 / 园 / 区 …, with the verbs in front of it (加快建设, 推进 …) trimmed off.

Each mention is resolved through the gazetteer with the plan's jurisdiction as the hint;
what does not resolve is still listed, with no coordinates, so the gap is visible.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from geocoding.gazetteer import Gazetteer, default_gazetteer
from geocoding.normalize import to_simplified
from geocoding.plantext import PlanText, load_plan

#: suffix -> category; longer suffixes are tried first
PROJECT_SUFFIXES: dict[str, str] = {
    "过江通道": "crossing", "长江大桥": "crossing", "长江隧道": "crossing", "大桥": "crossing", "隧道": "crossing",
    "城际铁路": "railway", "城际": "railway", "铁路": "railway", "高铁": "railway",
    "轨道交通": "metro", "号线": "metro", "地铁": "metro",
    "高速公路": "road", "高速": "road", "国道": "road", "省道": "road", "大道": "road", "快速路": "road", "公路": "road",
    "互通": "interchange", "枢纽": "interchange",
    "港区": "port", "作业区": "port", "码头": "port", "港": "port",
    "火车站": "station", "高铁站": "station", "站": "station",
    "机场": "airport",
    "科学城": "city", "科技城": "city", "新城": "city",
    "高新区": "park", "开发区": "park", "产业园": "park", "园区": "park", "园": "park",
    "协同发展区": "zone", "片区": "zone", "度假区": "zone", "示范区": "zone", "保税区": "zone",
    "运河": "waterway", "航道": "waterway",
}
#: words that precede a project name in plan prose and are not part of it
LEADING_WORDS = (
    "加快推进", "加快建设", "加快", "推进", "推动", "建设", "建成", "实施", "启动", "开工", "完成", "积极", "争取",
    "谋划", "规划", "研究", "配合", "协调", "做好", "全力", "力争", "打造", "提升", "优化", "完善", "新建", "改建",
    "扩建", "续建", "开展", "以", "和", "及", "与", "的", "在", "为", "对", "将", "把", "重点", "依托", "围绕",
    "结合", "利用", "加强", "形成", "构建", "发挥", "支持", "引导", "通过", "实现", "融入", "对接", "接入", "连接",
    "由", "向", "至", "到", "等", "是", "了", "中", "上", "下", "打通", "畅通", "审查", "批复", "获批", "开通",
    "建好", "争创", "面向", "聚焦", "共建", "探索", "深化", "提供", "服务", "设置", "发展", "评", "入", "心",
    "(", ")", "（", "）",
)
#: modifiers that make a suffix generic ("推动示范区", "国家级开发区"): not a named place
GENERIC_PREFIXES = frozenset({
    "一体化", "全面", "国家级", "省级", "市级", "特色", "优质", "社区", "交通", "综合", "现代", "国家", "重点", "产业",
    "创新", "科创", "坚持", "三大功能", "长三角", "乡村", "美丽", "田园", "全国", "高标准", "智能", "智慧", "示范",
})
_NAME_CHARS = r"[\u4e00-\u9fffA-Za-z0-9()（）·]"
_PATTERN = re.compile(
    rf"({_NAME_CHARS}{{1,14}}?)({'|'.join(sorted(map(re.escape, PROJECT_SUFFIXES), key=len, reverse=True))})"
)
MIN_KEY = 2
MAX_KEY = 14
#: the longest name before a suffix (盐泰锡常宜 5, 江阴靖江长江 6 …)
MAX_PREFIX = 7


@dataclass(frozen=True)
class Mention:
    line: int
    text: str
    category: str
    resolved: str | None
    lon: float | None
    lat: float | None
    score: float | None
    ambiguous: bool
    source: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _keys(gaz: Gazetteer) -> frozenset[str]:
    """Names worth finding in prose: curated places from two characters, GeoNames localities from
    three (two-character village names such as 联合, 新建, 合作 are everyday words)."""
    cached = getattr(gaz, "_extract_keys", None)
    if cached is None:
        cached = frozenset(
            k for k, places in gaz._index.items()
            if MIN_KEY <= len(k) <= MAX_KEY and (len(k) >= 3 or any(p.kind != "locality" for p in places))
        )
        gaz._extract_keys = cached  # type: ignore[attr-defined]
    return cached


_STOP_RE = re.compile("|".join(sorted(map(re.escape, LEADING_WORDS), key=len, reverse=True)))


def _trim(prefix: str) -> str:
    """The name part of the words before a suffix: what follows the last verb or conjunction."""
    cut = 0
    for m in _STOP_RE.finditer(prefix):
        if m.end() < len(prefix):
            cut = max(cut, m.end())
    return prefix[cut:][-MAX_PREFIX:]


def _resolve(gaz: Gazetteer, text: str, category: str, line: int, within: str | None) -> Mention:
    found = gaz.lookup(text, within=within) or (gaz.lookup(text) if within else [])
    if not found:
        return Mention(line, text, category, None, None, None, None, False, None)
    best = found[0]
    p = best.place
    return Mention(line, text, category, p.name, round(p.lon, 6), round(p.lat, 6), round(best.score, 3),
                   best.ambiguous, p.source)


def extract_text(plan: PlanText, within: str | None = None, gaz: Gazetteer | None = None) -> list[Mention]:
    """All mentions in a loaded plan, in line order; the same name on one line is listed once."""
    gaz = gaz or default_gazetteer()
    keys = _keys(gaz)
    mentions: list[Mention] = []
    for pl in plan.lines:
        # keep punctuation (it bounds names); widths, script and spaces as the gazetteer has them
        text = to_simplified(unicodedata.normalize("NFKC", pl.text)).replace(" ", "").lower()
        seen: set[str] = set()
        taken = [False] * len(text)
        # 1. projects by pattern (they may contain a gazetteer name: 江阴靖江长江隧道)
        for m in _PATTERN.finditer(text):
            name = _trim(m.group(1)) + m.group(2)
            prefix = name[: -len(m.group(2))]
            if len(prefix) < 2 or prefix in GENERIC_PREFIXES or prefix.isdigit() is False and prefix[-1].isdigit() and len(prefix) < 3 or name in seen:
                continue
            seen.add(name)
            start = m.end() - len(name)
            for i in range(start, m.end()):
                taken[i] = True
            mentions.append(_resolve(gaz, name, PROJECT_SUFFIXES[m.group(2)], pl.number, within))
        # 2. gazetteer names, longest first, outside the project names
        i = 0
        while i < len(text):
            hit = None
            if not taken[i]:
                for size in range(min(MAX_KEY, len(text) - i), MIN_KEY - 1, -1):
                    cand = text[i:i + size]
                    if cand in keys and not any(taken[i:i + size]):
                        hit = cand
                        break
            if hit:
                if hit not in seen:
                    seen.add(hit)
                    mentions.append(_resolve(gaz, hit, "place", pl.number, within))
                i += len(hit)
            else:
                i += 1
    return mentions


def plan_jurisdiction(path: Path) -> str | None:
    """The jurisdiction of a known plan file (from its spec), used as the default hint."""
    import yaml

    from gis.paths import SPECS

    for spec_path in sorted(SPECS.glob("*.yaml")):
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8")) or {}
        plan = spec.get("plan") or {}
        if plan.get("source") == path.name:
            juris = plan.get("jurisdiction")
            return "江阴市" if juris == "江阴高新区" else juris
    return None


def extract_plan(path: str | Path, within: str | None = None) -> list[Mention]:
    """Load a plan text (repairing extraction damage) and list its mentions."""
    path = Path(path)
    return extract_text(load_plan(path), within or plan_jurisdiction(path))

"""The layer catalogue: what layers/ holds, for ``planlayers list``, the app and the exports."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from gis.io import read_geojson
from gis.paths import LAYERS
from gis.validate import layer_files


@dataclass(frozen=True)
class LayerInfo:
    """One layer file: a plan's digitised elements."""

    name: str
    path: str
    title: str
    title_en: str
    jurisdiction: str
    period: str
    source: str
    features: int
    kinds: dict[str, int]
    structures: list[str]
    unplaced: int


def catalogue(layers_dir: Path = LAYERS) -> list[LayerInfo]:
    """Every layer under ``layers_dir`` with its counts, in file order."""
    unplaced_file = layers_dir / "unplaced.json"
    unplaced = Counter()
    if unplaced_file.exists():
        unplaced = Counter(e["plan"] for e in json.loads(unplaced_file.read_text(encoding="utf-8"))["elements"])
    out = []
    for path in layer_files(layers_dir):
        data = read_geojson(path)
        props = [f["properties"] for f in data["features"]]
        name = data.get("name", path.stem)
        out.append(LayerInfo(
            name=name, path=path.name,
            title=data.get("title", ""), title_en=data.get("title_en", ""),
            jurisdiction=data.get("jurisdiction", ""), period=data.get("period", ""), source=data.get("source", ""),
            features=len(props), kinds=dict(sorted(Counter(p["kind"] for p in props).items())),
            structures=list(dict.fromkeys(p["structure"] for p in props)), unplaced=unplaced.get(name, 0),
        ))
    return out


def shared_keys(layers_dir: Path = LAYERS) -> dict[str, list[str]]:
    """Cross-plan keys named by more than one plan: key -> feature ids (where plans agree)."""
    ids: dict[str, list[str]] = {}
    plans: dict[str, set[str]] = {}
    for path in layer_files(layers_dir):
        for feat in read_geojson(path)["features"]:
            props = feat["properties"]
            if props.get("key"):
                ids.setdefault(props["key"], []).append(props["id"])
                plans.setdefault(props["key"], set()).add(props["plan"])
    return {key: ids[key] for key in sorted(ids) if len(plans[key]) > 1}


def as_json(infos: list[LayerInfo]) -> str:
    return json.dumps([asdict(i) for i in infos], ensure_ascii=False, indent=1)

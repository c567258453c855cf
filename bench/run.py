"""``planlayers bench [--quick] [--json PATH]``: run the cases, print a table, write JSON."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

from bench import cases


def run(quick: bool = False) -> dict[str, Any]:
    repeats = 1 if quick else 3
    scales = (1, 10) if quick else (1, 10, 100)
    results: dict[str, Any] = {"meta.quick": quick, "meta.python": platform.python_version(),
                               "meta.machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
                               "meta.date": time.strftime("%Y-%m-%d")}
    results.update(cases.case_build(repeats))
    results.update(cases.case_export(repeats))
    results.update(cases.case_geocode())
    results.update(cases.case_map(repeats))
    build_points, map_points = [], []
    for n in scales:
        b = cases.case_build_scaled(n)
        results[f"scale.x{n}.features"] = b["features"]
        results[f"scale.x{n}.build_seconds"] = b["seconds"]
        build_points.append((b["features"], b["seconds"]))
        m = cases.case_map(1, replicate=n, prefix=f"scale.x{n}.map") if n > 1 else {
            f"scale.x1.map.{k.split('.', 1)[1]}": v for k, v in results.items() if k.startswith("map.")}
        results.update(m)
        map_points.append((b["features"], m[f"scale.x{n}.map.server_seconds"] + m[f"scale.x{n}.map.first_paint_seconds"]))
    results["scale.build_growth_exponent"] = cases.growth(build_points)
    results["scale.map_growth_exponent"] = cases.growth(map_points)
    return results


TABLE_KEYS = [
    ("build.seconds", "build all layers from specs (s)"), ("build.peak_mib", "build peak Python memory (MiB)"),
    ("validate.seconds", "validate all layers incl. quotes (s)"),
    ("geocode.names", "names extracted from the five plans"), ("geocode.resolved_share", "share resolved"),
    ("geocode.names_per_second", "names per second"),
    ("map.payload_bytes", "map payload, ours (bytes)"), ("map.baseline_payload_bytes", "map payload, naive folium (bytes)"),
    ("map.payload_ratio", "payload ratio ours / baseline"), ("map.server_seconds", "server time to produce the page (s)"),
    ("map.first_paint_seconds", "page load → all overlays drawn, ours (s)"),
    ("map.baseline_first_paint_seconds", "page load → all overlays drawn, baseline (s)"),
    ("map.first_paint_ratio", "first-paint ratio ours / baseline"),
    ("map.baseline_assets_left_out", "folium default assets without a local copy (left out)"),
    ("map.strict_baseline_first_paint_seconds", "page load → all overlays drawn, Leaflet-only folium (s)"),
    ("map.strict_first_paint_ratio", "first-paint ratio ours / Leaflet-only folium"),
    ("map.strict_payload_ratio", "payload ratio ours / Leaflet-only folium"),
    ("map.main_thread_seconds", "browser main-thread busy until drawn, ours (s)"),
    ("map.baseline_main_thread_seconds", "browser main-thread busy until drawn, baseline (s)"),
    ("map.main_thread_ratio", "main-thread ratio ours / baseline"),
    ("scale.build_growth_exponent", "build cost growth exponent (1 = linear)"),
    ("scale.map_growth_exponent", "map cost growth exponent (1 = linear)"),
]


def table(results: dict[str, Any]) -> str:
    rows = [f"| {label} | {results[key]} |" for key, label in TABLE_KEYS if key in results]
    rows += [f"| export {k.split('.')[1]}: seconds / bytes | {results[k]} / {results[k.replace('seconds', 'bytes')]} |"
             for k in results if k.startswith("export.") and k.endswith(".seconds")]
    rows += [f"| scale ×{k.split('.')[1][1:]}: features, build s, map server s, first paint s (baseline s) | "
             f"{results[k]}, {results[k.replace('features', 'build_seconds')]}, "
             f"{results[k.replace('features', 'map.server_seconds')]}, {results[k.replace('features', 'map.first_paint_seconds')]} "
             f"({results[k.replace('features', 'map.baseline_first_paint_seconds')]}) |"
             for k in results if k.startswith("scale.x") and k.endswith(".features") and ".map." not in k]
    return "| measure | value |\n|---|---|\n" + "\n".join(rows)


def main(quick: bool = False, json_path: str | None = None) -> int:
    results = run(quick)
    print(table(results))
    if json_path:
        Path(json_path).write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"\nJSON written to {json_path}")
    return 0

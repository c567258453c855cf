"""The ``planlayers`` command line (also ``python -m gis``).

Every subcommand turns bad input into one clear line on stderr and a non-zero exit; a
traceback is a bug.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def cmd_validate(args: argparse.Namespace) -> int:
    from gis.paths import LAYERS, seeds_dir
    from gis.validate import validate

    files = [Path(f) for f in args.files] if args.files else None
    for f in files or []:
        if not f.is_file():
            print(f"planlayers validate: {f}: no such file", file=sys.stderr)
            return EXIT_USAGE
    problems, counts = validate(LAYERS, files)
    for problem in problems:
        print(problem)
    quotes = (f"{counts['quotes_checked']} quotes checked against {seeds_dir()}" if seeds_dir()
              else "quotes not checked: ../shared/seeds is absent")
    summary = f"{counts['files']} layer files, {counts['features']} features, {counts['unplaced']} unplaced elements; {quotes}"
    if problems:
        print(f"INVALID: {len(problems)} problems ({summary})", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"OK: {summary}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from gis.catalogue import as_json, catalogue

    infos = catalogue()
    if args.json:
        sys.stdout.write(as_json(infos) + "\n")
        return EXIT_OK
    print(f"{'layer':<22} {'jurisdiction':<8} {'period':<16} {'features':>8} {'unplaced':>8}  kinds")
    for i in infos:
        kinds = ", ".join(f"{k} {n}" for k, n in i.kinds.items())
        print(f"{i.name:<22} {i.jurisdiction:<8} {i.period:<16} {i.features:>8} {i.unplaced:>8}  {kinds}")
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    from gis.build import build_all

    results, errors = build_all(write=not args.check)
    for err in errors:
        print(err, file=sys.stderr)
    if errors:
        print(f"build failed: {len(errors)} problems; layers/ left unchanged", file=sys.stderr)
        return EXIT_PROBLEMS
    for r in results:
        print(f"{r.plan['id']}: {len(r.features)} features, {len(r.unplaced)} unplaced")
    print("checked (nothing written)" if args.check else "layers/ written")
    return EXIT_OK


def _parse_lonlat(text: str) -> tuple[float, float]:
    try:
        lon, lat = (float(v) for v in text.replace("，", ",").split(","))
    except ValueError:
        raise ValueError(f"{text!r} is not LON,LAT (e.g. 120.30,31.57)") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"{text!r} is out of range: LON,LAT in degrees, longitude first")
    return lon, lat


def cmd_geocode(args: argparse.Namespace) -> int:
    from geocoding.gazetteer import default_gazetteer
    from gis import crs

    gaz = default_gazetteer()
    if args.reverse:
        try:
            lon, lat = _parse_lonlat(args.reverse)
            wlon, wlat = crs.transform_point(lon, lat, args.crs, crs.WGS84)
        except (ValueError, crs.CRSError) as exc:
            print(f"planlayers geocode: {exc}", file=sys.stderr)
            return EXIT_USAGE
        result = gaz.reverse(wlon, wlat)
        result["input"] = {"lon": lon, "lat": lat, "crs": args.crs}
        if args.json:
            _print_json(result)
        else:
            juris = "、".join(result["jurisdictions"]) or "none of the five jurisdictions"
            print(f"{result['township'] or '-'}  {result['county'] or 'outside the mapped counties'}  ({juris})"
                  f"  WGS84 {result['lon']:.6f},{result['lat']:.6f}")
        return EXIT_OK
    if not args.name or not args.name.strip():
        print("planlayers geocode: give a place name, or --reverse LON,LAT", file=sys.stderr)
        return EXIT_USAGE
    found = gaz.lookup(args.name, within=args.within)
    if args.json:
        _print_json([c.to_json() for c in found])
        return EXIT_OK
    if not found:
        print(f"no place called {args.name!r}" + (f" within {args.within}" if args.within else ""))
        return EXIT_PROBLEMS
    for c in found:
        flag = "  AMBIGUOUS" if c.ambiguous else ""
        print(f"{c.place.name}\t{c.jurisdiction or c.place.county or '-'}\t{c.place.lon:.6f},{c.place.lat:.6f}"
              f"\tscore {c.score:.2f}\t±{c.place.accuracy_m:.0f} m\t{c.place.source}{flag}")
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from geocoding.extract import extract_plan

    path = Path(args.plan)
    if not path.is_file():
        print(f"planlayers extract: {path}: no such file", file=sys.stderr)
        return EXIT_USAGE
    try:
        mentions = extract_plan(path, within=args.within)
    except (UnicodeDecodeError, ValueError) as exc:
        print(f"planlayers extract: {path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        _print_json([m.to_json() for m in mentions])
        return EXIT_OK
    for m in mentions:
        where = f"{m.lon:.5f},{m.lat:.5f}" if m.lon is not None else "unresolved"
        flag = " AMBIGUOUS" if m.ambiguous else ""
        print(f"{m.line}\t{m.category}\t{m.text}\t{m.resolved or '-'}\t{where}{flag}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from gis.export import ExportError, export

    try:
        written = export(args.format, args.out, args.crs, args.jurisdiction, args.plan, args.kind, args.overwrite)
    except ExportError as exc:
        print(f"planlayers export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(f"{path}\t{path.stat().st_size} bytes")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from gis.importer import import_file

    layer = import_file(args.file, crs=args.crs)
    report = layer.report
    if args.json:
        _print_json(report.to_json())
    elif report.ok:
        print(f"OK: {report.features} features ({', '.join(report.geometry_types)}), CRS {report.crs}, {report.format}")
        for w in report.warnings:
            print(f"warning: {w}")
    else:
        print(f"planlayers import: {args.file}: {report.error}", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.run import main as bench_main

    return bench_main(args.quick, args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planlayers", description="GIS layers of 苏南 planning documents.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check every layer (RFC 7946, schema, places, quotes)")
    p.add_argument("files", nargs="*", help="layer files to check (default: all of layers/)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("list", help="print the layer catalogue")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("build", help="build layers/*.geojson from layers/specs/*.yaml")
    p.add_argument("--check", action="store_true", help="build in memory only, write nothing")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("geocode", help="find a place by name (offline), or the township at a point")
    p.add_argument("name", nargs="?", help="place name, e.g. 青阳镇 or 江阴市青阳镇")
    p.add_argument("--within", help="jurisdiction or county hint for homonyms, e.g. 江阴市")
    p.add_argument("--reverse", metavar="LON,LAT", help="reverse geocode a point")
    p.add_argument("--crs", default="wgs84", help="coordinates of --reverse: wgs84, gcj02 (Amap) or bd09 (Baidu)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("export", help="export layers: gpkg, qgz, shp, geojson, csv, kml, kmz")
    p.add_argument("--format", required=True, help="gpkg | qgz | shp | geojson | csv | kml | kmz")
    p.add_argument("--out", required=True, help="output file (shp: a .zip)")
    p.add_argument("--crs", help="EPSG:4326 (default), EPSG:4490, EPSG:4549 (default for qgz), gcj02, bd09")
    p.add_argument("--jurisdiction", action="append", help="only this jurisdiction (repeatable)")
    p.add_argument("--plan", action="append", help="only this plan id, e.g. jiangyin-14 (repeatable)")
    p.add_argument("--kind", action="append", help="only this kind, e.g. railway (repeatable)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="check and read your own file (GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ, CSV/XLSX)")
    p.add_argument("file")
    p.add_argument("--crs", help="coordinates of the file when it does not say: wgs84, gcj02 (Amap), bd09 (Baidu), EPSG:n")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("bench", help="benchmarks: build, export, geocode, map vs a naive baseline, scale")
    p.add_argument("--quick", action="store_true", help="each case once, scales x1 and x10 (about two minutes)")
    p.add_argument("--json", help="also write the results as JSON to this file")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("extract", help="list the places and transport projects a plan text mentions")
    p.add_argument("plan", help="a plan text file, e.g. ../shared/seeds/000_….txt")
    p.add_argument("--within", help="hint for homonyms (default: the plan's jurisdiction, when known)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

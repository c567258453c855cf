"""Front-end assets served from this machine, so the map draws with no internet at all.

folium lists CDN URLs (Leaflet, jQuery, Bootstrap, Font Awesome) in each element's
``default_js`` / ``default_css``, and streamlit-folium loads exactly those lists. Here they are
replaced by files copied from PyPI packages (XStatic) into Streamlit's static folder
(served at ``/app/static/``); assets the map does not need are dropped rather than fetched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import folium

from gis.paths import ROOT

STATIC = ROOT / "static"
VENDOR = STATIC / "vendor"
URL_PREFIX = "/app/static/vendor"

#: folium asset name -> (xstatic package, file inside it, path under static/vendor/)
ASSETS: dict[str, tuple[str, str, str]] = {
    "leaflet": ("xstatic.pkg.leaflet", "leaflet.js", "leaflet/leaflet.js"),
    "leaflet_css": ("xstatic.pkg.leaflet", "leaflet.css", "leaflet/leaflet.css"),
    # folium's popups and layer ordering call jQuery ($)
    "jquery": ("xstatic.pkg.jquery", "jquery.min.js", "jquery/jquery.min.js"),
}
#: directories copied alongside (Leaflet's CSS refers to images/)
ASSET_DIRS: dict[str, tuple[str, str, str]] = {
    "leaflet_images": ("xstatic.pkg.leaflet", "images", "leaflet/images"),
}


def _package_dir(module: str) -> Path:
    import importlib

    return Path(importlib.import_module(module).BASE_DIR)


def ensure_assets(vendor: Path = VENDOR) -> list[Path]:
    """Copy the vendored files into ``static/vendor`` when missing or changed; returns what was copied."""
    copied: list[Path] = []
    for module, name, target in ASSETS.values():
        src, dst = _package_dir(module) / name, vendor / target
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            copied.append(dst)
    for module, name, target in ASSET_DIRS.values():
        src, dst = _package_dir(module) / name, vendor / target
        if not dst.exists():
            shutil.copytree(src, dst)
            copied.append(dst)
    return copied


def local_url(name: str) -> str:
    return f"{URL_PREFIX}/{ASSETS[name][2]}"


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localise(fmap: folium.Map) -> folium.Map:
    """Point every element's JS/CSS at the local copies; drop CDN assets with no local copy."""
    for element in _walk(fmap):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if assets:
                setattr(element, attr, [(n, local_url(n)) for n, _ in assets if n in ASSETS])
    return fmap

"""Front-end assets served from this machine, so the map draws with no internet at all.

folium lists CDN URLs (Leaflet, jQuery, Bootstrap, Font Awesome) in each element's
``default_js`` / ``default_css``, and streamlit-folium loads exactly those lists. Here they are
replaced by files copied from PyPI packages (XStatic) into Streamlit's static folder
(served at ``/app/static/``); assets the map does not need are dropped rather than fetched.
Only Leaflet is needed: popups are built with plain DOM calls (gis.webmap), and folium's
jQuery-using pieces (html Popup objects, objects kept in front) are not used.
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
}
#: directories copied alongside (Leaflet's CSS refers to images/)
ASSET_DIRS: dict[str, tuple[str, str, str]] = {
    "leaflet_images": ("xstatic.pkg.leaflet", "images", "leaflet/images"),
}


def package_dir(module: str) -> Path:
    """The data folder of an XStatic package (raises ImportError when it is not installed)."""
    import importlib

    return Path(importlib.import_module(module).BASE_DIR)


def ensure_assets(vendor: Path = VENDOR) -> list[Path]:
    """Copy the vendored files into ``static/vendor`` when missing or changed; returns what was copied."""
    copied: list[Path] = []
    for module, name, target in ASSETS.values():
        src, dst = package_dir(module) / name, vendor / target
        if not dst.exists() or dst.stat().st_size != src.stat().st_size:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            copied.append(dst)
    for module, name, target in ASSET_DIRS.values():
        src, dst = package_dir(module) / name, vendor / target
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


def _data_uri(path: Path) -> str:
    import base64
    import mimetypes

    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def inline_asset(page: str, url: str, path: Path) -> str:
    """Replace the page's ``<script src=url>`` or ``<link href=url>`` with the file's text inline;
    relative ``url(images/…)`` in CSS become data URIs (Leaflet's control images)."""
    import re

    text = path.read_text(encoding="utf-8")
    pattern = re.escape(url)
    if path.suffix == ".css":
        images = path.parent / "images"
        text = re.sub(r"url\(images/([\w.-]+)\)",
                      lambda m: f"url({_data_uri(images / m.group(1))})" if (images / m.group(1)).exists() else m.group(0),
                      text)
        return re.sub(rf'<link[^>]*href="{pattern}"[^>]*/?>', lambda _m: f"<style>{text}</style>", page)
    text = text.replace("</script", "<\\/script")
    return re.sub(rf'<script[^>]*src="{pattern}"[^>]*>\s*</script>', lambda _m: f"<script>{text}</script>", page)


def vendored_file(name: str) -> Path:
    module, file, _target = ASSETS[name]
    return package_dir(module) / file


def standalone_html(fmap: folium.Map) -> str:
    """The map as one HTML file that opens offline: every script and style inlined.

    Leaflet's CSS refers to its control images by relative URL; those become data URIs.
    """
    localise(fmap)
    page = fmap.get_root().render()
    for name in ASSETS:
        page = inline_asset(page, local_url(name), vendored_file(name))
    return page

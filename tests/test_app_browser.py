"""The real app (a Streamlit server as the README starts it) in real headless Chromium, offline."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gis.paths import ROOT
from gis.webmap import CJK_FONT_STACK

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: Debian's chromium is not installed")
        pytest.skip("Debian's chromium is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("the Streamlit server did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture()
def offline_page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        leaving: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:")):
                r.continue_()
            else:  # the network is blocked: record anything that tries to leave the machine
                leaving.append(url)
                r.abort()

        page.context.route("**/*", route)
        page.goto(app_url, wait_until="domcontentloaded")
        yield page, leaving
        browser.close()


def test_the_map_draws_boundaries_and_layers_with_no_request_leaving_the_machine(offline_page):
    page, leaving = offline_page
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=90_000)
    assert frame.locator("path.leaflet-interactive").count() > 100
    assert page.locator(MAP_FRAME).bounding_box()["height"] > 300
    legend = frame.locator(".pl-legend")
    assert legend.is_visible() and "图例" in legend.inner_text() and "铁路" in legend.inner_text()
    # map text is set in Chinese fonts first, over Leaflet's Latin default (tooltips and popups too)
    for selector in (".pl-legend", ".leaflet-container"):
        family = frame.locator(selector).first.evaluate("e => getComputedStyle(e).fontFamily")
        assert family.replace(", ", ",") == CJK_FONT_STACK, family
    assert leaving == [], f"requests left the machine: {leaving[:5]}"


MAP_FRAME = "iframe[title*='streamlit_folium']"


def _paths(page) -> int:
    return page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").count()


def _wait_paths(page, predicate, timeout_s: float = 60) -> int:
    deadline = time.time() + timeout_s
    n = _paths(page)
    while time.time() < deadline and not predicate(n):
        time.sleep(0.5)
        n = _paths(page)
    return n


def _drawn_map(page):
    """The map's frame once the full map is drawn (over 100 paths)."""
    _wait_paths(page, lambda n: n > 100)
    return page.frame_locator(MAP_FRAME)


def test_toggling_a_jurisdiction_removes_its_paths(offline_page):
    page, leaving = offline_page
    before = _wait_paths(page, lambda n: n > 100)
    expander = page.locator("[data-testid='stExpander']").filter(has_text="吴江区")
    expander.locator("summary").click()
    expander.get_by_text("全部").click()
    after = _wait_paths(page, lambda n: 0 < n < before)
    assert 0 < after < before - 50, (before, after)
    assert leaving == []


def test_a_popup_shows_the_plan_quote_and_line(offline_page):
    page, _ = offline_page
    frame = _drawn_map(page)
    frame.locator("path.leaflet-interactive").last.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=20_000)
    text = popup.inner_text()
    assert "「" in text and "_" in text and ".txt" in text


def test_hovering_a_feature_shows_its_name_and_leaving_hides_it(offline_page):
    page, _ = offline_page
    frame = _drawn_map(page)
    frame.locator("path.leaflet-interactive").last.hover(force=True)
    tip = frame.locator(".leaflet-tooltip")
    tip.wait_for(timeout=20_000)
    assert tip.inner_text().strip() and "<" not in tip.inner_text()
    page.mouse.move(2, 2)
    tip.wait_for(state="detached", timeout=20_000)


def _download(page, button: str, path: Path) -> bytes:
    """Click a download button once the map is drawn; the saved file's bytes."""
    _wait_paths(page, lambda n: n > 100)
    with page.expect_download(timeout=90_000) as info:
        page.get_by_role("button", name=button).click()
    info.value.save_as(path)
    return path.read_bytes()


def test_presentation_mode_steps_through_scenes(offline_page):
    page, leaving = offline_page
    _wait_paths(page, lambda n: n > 100)
    page.get_by_role("button", name="演示模式").click()
    page.get_by_text("五地规划总览").wait_for(timeout=30_000)
    page.get_by_role("button", name="下一场景 ▶").click()
    page.get_by_text("一核一区、一轴两带").first.wait_for(timeout=30_000)
    assert page.get_by_text("场景 2 /").count() == 1
    assert page.locator(".pl-quote").count() >= 1            # the plan's own words
    assert page.locator("[data-testid='stSidebar']").is_hidden()  # no editing chrome
    page.get_by_role("button", name="◀ 上一场景").click()
    page.get_by_text("场景 1 /").wait_for(timeout=30_000)
    assert leaving == []


def test_html_download_is_a_self_contained_offline_map(offline_page, tmp_path):
    page, _ = offline_page
    path = tmp_path / "map.html"
    text = _download(page, "下载 HTML 地图 (离线可用)", path).decode("utf-8")
    assert "<script src=" not in text and 'rel="stylesheet"' not in text
    standalone = page.context.browser.new_page()
    left: list[str] = []
    standalone.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                     else (left.append(r.request.url), r.abort()))
    standalone.goto(path.as_uri())
    standalone.locator("path.leaflet-interactive").first.wait_for(timeout=30_000)
    assert standalone.locator("path.leaflet-interactive").count() > 100 and left == []
    assert standalone.locator(".pl-legend").is_visible()
    # the overview draws simplified outlines; zooming in swaps in the finer ones, same features
    overview = standalone.evaluate(VERTICES_JS)
    standalone.evaluate("Object.keys(window).filter(k => k.startsWith('map_')).forEach(k => window[k].setZoom(11, {animate: false}))")
    detailed = standalone.evaluate(VERTICES_JS)
    assert detailed > 1.5 * overview and standalone.locator("path.leaflet-interactive").count() > 100


#: vertices Leaflet holds for all overlays of a page (nested LatLng arrays, counted)
VERTICES_JS = """() => { let n = 0; const count = a => Array.isArray(a) ? a.reduce((s, x) => s + count(x), 0) : 1;
  Object.keys(window).filter(k => k.startsWith('pl_overlay_'))
    .forEach(k => window[k].eachLayer(l => { if (l.getLatLngs) n += count(l.getLatLngs()); }));
  return n; }"""


def test_measuring_reports_a_distance(offline_page):
    page, _ = offline_page
    frame = _drawn_map(page)
    frame.locator(".pl-measure a").click()
    target = frame.locator(".leaflet-container").first
    target.click(position={"x": 200, "y": 300})
    target.click(position={"x": 500, "y": 300})
    text = frame.locator(".pl-measure-result").inner_text()
    assert "km" in text and float(text.split(":")[-1].replace("km", "").strip()) > 1
    assert frame.locator(".pl-fullscreen").count() == 1
    # the buttons' icons are drawn shapes, not symbol characters that fall back to empty boxes
    for button in (".pl-fullscreen", ".pl-measure a"):
        icon = frame.locator(f"{button} svg").bounding_box()
        assert icon and icon["width"] >= 16 and frame.locator(button).inner_text().strip() == ""


def test_png_figure_download_is_a_valid_image(offline_page, tmp_path):
    page, _ = offline_page
    data = _download(page, "下载 PNG 图", tmp_path / "map.png")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


def test_layer_download_is_a_geopackage_of_the_selected_plans(offline_page, tmp_path):
    import fiona

    page, _ = offline_page
    path = tmp_path / "layers.gpkg"
    assert _download(page, "下载所选图层 (gpkg)", path)[:16] == b"SQLite format 3\x00"
    assert "layer_styles" in fiona.listlayers(path) and len(fiona.listlayers(path)) > 10


def test_an_uploaded_layer_with_html_and_script_in_its_attributes_shows_the_text_and_runs_nothing(offline_page, tmp_path):
    import json

    page, leaving = offline_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _wait_paths(page, lambda n: n > 100)
    hostile = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "name": '<img src=x onerror="window.__pwned=1;alert(1)">',
        "note": '<script>window.__pwned2=1;alert(2)</script>'},
        "geometry": {"type": "Polygon", "coordinates": [[[120.20, 31.70], [120.40, 31.70], [120.40, 31.80],
                                                          [120.20, 31.80], [120.20, 31.70]]]}}]}
    upload = tmp_path / "<b>规划.geojson"
    upload.write_text(json.dumps(hostile, ensure_ascii=False), encoding="utf-8")
    page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(upload))
    # while Streamlit reruns it can briefly show the old map beside the new one: use the newest
    frame = page.frame_locator(MAP_FRAME).last
    imported = frame.locator("path[stroke='#e6007e']")
    imported.first.wait_for(timeout=60_000)
    imported.first.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=20_000)
    text = popup.inner_text()
    assert '<img src=x onerror="window.__pwned=1;alert(1)">' in text
    assert "<script>window.__pwned2=1;alert(2)</script>" in text
    assert popup.locator("img, script").count() == 0
    assert "<b>规划.geojson" in frame.locator(".pl-legend").inner_text()
    for inner in (f for f in page.frames if "streamlit_folium" in f.url):
        assert inner.evaluate("window.__pwned === undefined && window.__pwned2 === undefined")
    assert dialogs == [] and leaving == []


def test_a_refused_upload_is_explained_and_the_app_stays_usable(offline_page, tmp_path):
    page, _ = offline_page
    _wait_paths(page, lambda n: n > 100)
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    page.locator("[data-testid='stSidebar'] input[type='file']").set_input_files(str(broken))
    page.get_by_text("未能导入").wait_for(timeout=60_000)
    assert page.get_by_text("GDAL cannot read it").count() >= 1
    frame = page.frame_locator(MAP_FRAME).last
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    assert frame.locator("path.leaflet-interactive").count() > 100

"""Run by Debian's /usr/bin/python3 with PyQGIS (headless): open exports the way a planner
would and report what QGIS sees, as JSON on stdout. Used by tests/test_export_qgis.py."""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsProject,  # noqa: E402
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

app = QgsApplication([], False)
app.initQgis()


def describe(layer):
    names = [f["name"] for f in layer.getFeatures()] if "name" in layer.fields().names() else []
    return {
        "valid": layer.isValid(), "features": layer.featureCount(), "crs": layer.crs().authid(),
        "renderer": layer.renderer().type() if layer.renderer() else None,
        "categories": len(layer.renderer().categories()) if layer.renderer() and hasattr(layer.renderer(), "categories") else 0,
        "chinese_names": sum(1 for n in names if n and any("\u4e00" <= ch <= "\u9fff" for ch in str(n))),
        "fields": layer.fields().names(),
    }


def render(layers, crs, path):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(crs)
    settings.setOutputSize(QSize(1200, 900))
    settings.setBackgroundColor(QColor(255, 255, 255))
    extent = layers[0].extent()
    for lyr in layers[1:]:
        extent.combineExtentWith(lyr.extent())
    settings.setExtent(extent)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(path, "PNG")
    return os.path.getsize(path)


out = {}
mode, target = sys.argv[1], sys.argv[2]
if mode == "gpkg":
    import sqlite3

    tables = [r[0] for r in sqlite3.connect(target).execute(
        "SELECT table_name FROM gpkg_contents WHERE data_type='features' ORDER BY table_name")]
    out["layers"] = {}
    for t in tables:
        layer = QgsVectorLayer(f"{target}|layername={t}", t, "ogr")  # default style loads from layer_styles
        out["layers"][t] = describe(layer)
elif mode == "qgz":
    project = QgsProject.instance()
    out["read"] = project.read(target)
    out["crs"] = project.crs().authid()
    layers = list(project.mapLayers().values())
    out["layers"] = {l.name(): describe(l) for l in layers}
    root = project.layerTreeRoot()
    out["groups"] = [g.name() for g in root.children() if g.nodeType() == 0]
    out["png_bytes"] = render([l for l in layers], project.crs(), sys.argv[3]) if layers else 0
elif mode == "shp":
    out["layers"] = {}
    for name in sorted(os.listdir(target)):
        if name.endswith(".shp"):
            layer = QgsVectorLayer(os.path.join(target, name), name, "ogr")
            out["layers"][name] = describe(layer)
print(json.dumps(out, ensure_ascii=False))
sys.stdout.flush()
# exitQgis() can crash while layer objects are still referenced; the answer is out, so leave now
os._exit(0)

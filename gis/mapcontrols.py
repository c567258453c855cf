"""Map controls that work offline: fullscreen and distance measuring.

folium's Fullscreen and MeasureControl plugins load their code from CDNs, which an intranet
cannot reach; these two small Leaflet controls carry their code inline. They render no user
data, so nothing in them needs escaping. Their icons are small inline SVGs: symbol characters
(⛶, 📏) show as empty boxes where no symbol or emoji font is installed, and the browser's search
through every font for a glyph none has cost ~8 ms of each page load in headless Chromium.
"""

from __future__ import annotations

import folium
from folium.template import Template

#: the buttons' icons, 18 px, in the buttons' text colour (black, as Leaflet's zoom buttons)
_ICON = ("<svg width='18' height='18' viewBox='0 0 18 18' fill='none' stroke='currentColor' stroke-width='2' "
         "style='vertical-align:middle' aria-hidden='true'>{}</svg>")
#: four corner brackets
FULLSCREEN_ICON = _ICON.format("<path d='M2 7V2h5M11 2h5v5M16 11v5h-5M7 16H2v-5'/>")
#: a ruler with ticks
MEASURE_ICON = _ICON.format("<rect x='1' y='5.5' width='16' height='7' stroke-width='1.6'/>"
                            "<path d='M5 6v3M9 6v4M13 6v3' stroke-width='1.4'/>")


class Fullscreen(folium.MacroElement):
    """A fullscreen button: the map container fills the screen (and Esc leaves)."""

    icon = FULLSCREEN_ICON

    _template = Template("""
{% macro script(this, kwargs) %}
(function(map){
  var Ctl = L.Control.extend({options:{position:'topleft'}, onAdd:function(){
    var a = L.DomUtil.create('a', 'leaflet-bar pl-fullscreen');
    a.href = '#'; a.title = '全屏 fullscreen'; a.innerHTML = "{{ this.icon }}";
    a.style.cssText = 'display:block;width:30px;height:30px;line-height:30px;text-align:center;background:#fff;color:#000;';
    L.DomEvent.on(a, 'click', function(ev){
      L.DomEvent.stop(ev);
      var c = map.getContainer();
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (c.requestFullscreen) { c.requestFullscreen(); }
      setTimeout(function(){ map.invalidateSize(); }, 300);
    });
    return a;
  }});
  map.addControl(new Ctl());
})({{ this._parent.get_name() }});
{% endmacro %}
""")


class Measure(folium.MacroElement):
    """A ruler button: click points on the map to measure a path (great-circle km); click the button to clear."""

    icon = MEASURE_ICON

    _template = Template("""
{% macro script(this, kwargs) %}
(function(map){
  var active = false, pts = [], line = null, box = null;
  function km(){ var d = 0; for (var i = 1; i < pts.length; i++) d += map.distance(pts[i-1], pts[i]); return d/1000; }
  function show(){ if (box) box.innerHTML = pts.length < 2 ? '点击地图量距 click to measure' : ('距离 distance: ' + km().toFixed(2) + ' km'); }
  var Ctl = L.Control.extend({options:{position:'topleft'}, onAdd:function(){
    var wrap = L.DomUtil.create('div', 'leaflet-bar pl-measure');
    var a = L.DomUtil.create('a', '', wrap);
    a.href = '#'; a.title = '量距 measure'; a.innerHTML = "{{ this.icon }}";
    a.style.cssText = 'display:block;width:30px;height:30px;line-height:30px;text-align:center;background:#fff;color:#000;';
    box = L.DomUtil.create('div', 'pl-measure-result', wrap);
    box.style.cssText = 'display:none;background:#fff;padding:2px 6px;font-size:12px;white-space:nowrap;';
    L.DomEvent.disableClickPropagation(wrap);
    L.DomEvent.on(a, 'click', function(ev){
      L.DomEvent.stop(ev); active = !active; pts = [];
      if (line) { map.removeLayer(line); line = null; }
      box.style.display = active ? 'block' : 'none'; show();
      map.getContainer().style.cursor = active ? 'crosshair' : '';
    });
    return wrap;
  }});
  map.addControl(new Ctl());
  // 'preclick' reaches the map before any layer's click handler can stop the event
  map.on('preclick', function(ev){
    if (!active) return;
    setTimeout(function(){ map.closePopup(); }, 0);
    pts.push(ev.latlng);
    if (!line) line = L.polyline(pts, {color:'#000', weight:2, dashArray:'4 4'}).addTo(map); else line.setLatLngs(pts);
    show();
  });
})({{ this._parent.get_name() }});
{% endmacro %}
""")

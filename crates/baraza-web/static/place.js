// Pick a place on the raise form: a Leaflet map where the browser runs scripts and the
// tiles can be reached, and "use my location". Without either, the ward list and the
// two coordinate fields do the work; this script only fills those fields.
(function () {
  var lat = document.getElementById("lat"), lon = document.getElementById("lon");
  var el = document.getElementById("map"), here = document.getElementById("use-location");
  if (!lat || !lon) return;
  var map = null, marker = null;
  function put(la, lo, zoom) {
    lat.value = la.toFixed(6);
    lon.value = lo.toFixed(6);
    if (!map) return;
    if (marker) marker.setLatLng([la, lo]); else marker = L.marker([la, lo]).addTo(map);
    if (zoom) map.setView([la, lo], zoom);
  }
  if (el && window.L) {
    el.hidden = false;
    map = L.map(el);
    var b = (el.dataset.bounds || "").split(",").map(Number);
    if (b.length === 4 && b.every(isFinite)) map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    else map.setView([0, 37.9], 6);
    var loaded = false, failed = 0;
    var tiles = L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 });
    tiles.on("tileload", function () { loaded = true; });
    tiles.on("tileerror", function () {
      // The tiles cannot be reached (no internet, a blocked host): no map, the fields stay.
      if (!loaded && ++failed >= 3 && map) { map.remove(); map = null; marker = null; el.hidden = true; }
    });
    tiles.addTo(map);
    if (lat.value && lon.value && isFinite(+lat.value) && isFinite(+lon.value)) put(+lat.value, +lon.value, 15);
    map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng); });
  }
  if (here && navigator.geolocation) {
    here.hidden = false;
    here.addEventListener("click", function () {
      here.disabled = true;
      navigator.geolocation.getCurrentPosition(function (p) {
        here.disabled = false;
        put(p.coords.latitude, p.coords.longitude, 16);
      }, function () {
        here.disabled = false;
        here.textContent = here.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
})();

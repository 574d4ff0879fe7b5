import { useEffect, useRef, useState } from 'react';
import { View } from '@tarojs/components';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { LatLng } from '@ssp/shared';
import { cachedCity, loadCity } from '../services/city-cache';

/**
 * The browser version's map (Leaflet): tiles from the deployment's URL template (GCJ-02,
 * the datum the product stores, so no conversion), a marker at the chosen point; a tap
 * on the map moves it there, and the marker can be dragged.
 */
const pin = L.divIcon({ className: 'loc__pin', iconSize: [28, 28], iconAnchor: [14, 14] });

export function SiteMap({ value, center, onPick }: { value: LatLng | null; center: LatLng | null; onPick: (p: LatLng) => void }) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const marker = useRef<L.Marker | null>(null);
  // The map is made after the city loads (async): the marker effect waits for it, else a
  // point known before the map would never be drawn or centred.
  const [ready, setReady] = useState(false);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    let disposed = false;
    void (async () => {
      // A city cached by an older version has no tiles yet: read it again.
      const cached = cachedCity();
      const city = cached?.mapTiles ? cached : await loadCity();
      const el = host.current;
      if (disposed || !el || !city?.mapTiles || map.current) return;
      const start = value ?? center ?? city.center;
      const m = L.map(el, { zoomControl: true, attributionControl: false }).setView([start.lat, start.lng], 16);
      L.tileLayer(city.mapTiles.url, { subdomains: city.mapTiles.subdomains, maxZoom: 18, minZoom: 10 }).addTo(m);
      m.on('click', (e: L.LeafletMouseEvent) => pick.current({ lat: e.latlng.lat, lng: e.latlng.lng }));
      map.current = m;
      setReady(true);
    })();
    return () => {
      disposed = true;
      map.current?.remove();
      map.current = null;
      marker.current = null;
    };
    // The map is made once; the marker follows the value below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const lat = value?.lat;
  const lng = value?.lng;
  useEffect(() => {
    const m = map.current;
    if (!m || lat === undefined || lng === undefined) return;
    if (!marker.current) {
      // Not in the tab order: keyboard users have the coordinate fields and nudge pad.
      const mk = L.marker([lat, lng], { icon: pin, draggable: true, keyboard: false, title: '问题位置（可拖动）' }).addTo(m);
      mk.on('dragend', () => {
        const p = mk.getLatLng();
        pick.current({ lat: p.lat, lng: p.lng });
      });
      marker.current = mk;
    } else marker.current.setLatLng([lat, lng]);
    m.panTo([lat, lng]);
  }, [ready, lat, lng]);

  return (
    <View className="loc__map" data-testid="site-map" aria-label="地图：点按地图或拖动标记选择问题位置" role="application">
      <div ref={host} style={{ width: '100%', height: '100%' }} />
    </View>
  );
}

import { useEffect, useRef } from 'react';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { gcj02ToWgs84, type CityAnswer, type GridBoundaries, type GridProperties, type LatLng } from '@ssp/shared';

interface Props {
  city: CityAnswer;
  boundaries: GridBoundaries | null;
  /** Grids covered by the chosen targets (highlighted). */
  selected: ReadonlySet<string>;
  onToggle: (gridId: string) => void;
}

const PLAIN: L.PathOptions = { color: '#1677ff', weight: 1, opacity: 0.7, fillColor: '#1677ff', fillOpacity: 0.04 };
const CHOSEN: L.PathOptions = { color: '#d4380d', weight: 2, opacity: 0.9, fillColor: '#fa541c', fillOpacity: 0.35 };

/**
 * The grids on the deployment's map tiles (as the case map shows them: GCJ-02 positions,
 * converted over WGS-84 tiles); a click on a grid adds it to the campaign's target areas or
 * takes it out. Chosen grids are filled orange; each grid's path carries `data-grid`.
 */
export function AreaPickerMap({ city, boundaries, selected, onToggle }: Props) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef(new Map<string, L.Path>());
  const toggle = useRef(onToggle);
  toggle.current = onToggle;
  const chosen = useRef(selected);
  chosen.current = selected;

  const toMap = (p: LatLng): L.LatLng => {
    const q = city.mapTiles.datum === 'wgs84' ? gcj02ToWgs84(p) : p;
    return L.latLng(q.lat, q.lng);
  };
  const toMapRef = useRef(toMap);
  toMapRef.current = toMap;

  const paint = (gridId: string, layer: L.Path) => {
    const on = chosen.current.has(gridId);
    layer.setStyle(on ? CHOSEN : PLAIN);
    const el = layer.getElement();
    el?.classList.toggle('area-grid-selected', on);
    el?.setAttribute('aria-selected', String(on));
  };

  useEffect(() => {
    if (!host.current) return;
    const m = L.map(host.current, { attributionControl: false }).setView(toMapRef.current(city.center), 12);
    L.tileLayer(city.mapTiles.url, { subdomains: city.mapTiles.subdomains, maxZoom: 18, minZoom: 8 }).addTo(m);
    map.current = m;
    const known = layers.current;
    return () => {
      m.remove();
      map.current = null;
      known.clear();
    };
  }, [city]);

  useEffect(() => {
    const m = map.current;
    if (!m || !boundaries || boundaries.features.length === 0) return;
    layers.current.clear();
    const group = L.geoJSON(boundaries as GeoJSON.FeatureCollection, {
      style: PLAIN,
      coordsToLatLng: (c: number[]) => toMapRef.current({ lng: c[0]!, lat: c[1]! }),
      onEachFeature: (feature, layer) => {
        const p = feature.properties as GridProperties;
        const path = layer as L.Path;
        layers.current.set(p.gridId, path);
        path.bindTooltip(`${p.districtName} · ${p.streetName} · ${p.gridName}`, { sticky: true });
        path.on('click', () => toggle.current(p.gridId));
        path.on('add', () => {
          path.getElement()?.setAttribute('data-grid', p.gridId);
          paint(p.gridId, path);
        });
      },
    }).addTo(m);
    m.fitBounds(group.getBounds(), { padding: [8, 8] });
    return () => {
      group.remove();
    };
  }, [boundaries, city]);

  // Repaint when the choice changes (paint reads the chosen grids from a ref).
  useEffect(() => {
    for (const [gridId, layer] of layers.current) paint(gridId, layer);
  }, [selected, boundaries]);

  return (
    <div
      ref={host}
      style={{ height: 360, width: '100%', borderRadius: 8 }}
      data-testid="campaign-area-map"
      role="application"
      aria-label="活动区域地图：点击网格选择或取消"
    />
  );
}

import { useEffect, useRef } from 'react';
import { Space, Tag, Typography } from 'antd';
import L from 'leaflet';
import 'leaflet.markercluster';
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import {
  STAFF_STATE_NAMES_ZH,
  gcj02ToWgs84,
  type CaseState,
  type CityAnswer,
  type GridBoundaries,
  type LatLng,
  type StaffCaseSummary,
} from '@ssp/shared';

/** Marker colours by state (the same families as the list's tags). */
export const STATE_MARKER_COLORS: Record<CaseState, string> = {
  pending: '#faad14',
  withdrawn: '#bfbfbf',
  rejected: '#bfbfbf',
  filed: '#1677ff',
  forwarded: '#722ed1',
  dispatched: '#2f54eb',
  processing: '#13c2c2',
  postponed: '#fa8c16',
  handled: '#7cb305',
  closed: '#52c41a',
};

interface Props {
  city: CityAnswer;
  boundaries: GridBoundaries | null;
  items: StaffCaseSummary[];
  onOpen: (caseId: string) => void;
}

/**
 * The cases on the deployment's map tiles: clustered markers coloured by state (overdue ones
 * ringed in red), a click opens the case; the grids' boundaries underneath. The product's
 * positions are GCJ-02; over WGS-84 tiles (Tianditu) they are converted with shared/src/geo.ts.
 */
export function CaseMap({ city, boundaries, items, onOpen }: Props) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const clusters = useRef<L.MarkerClusterGroup | null>(null);
  const grids = useRef<L.GeoJSON | null>(null);
  const open = useRef(onOpen);
  open.current = onOpen;

  const toMap = (p: LatLng): L.LatLngTuple => {
    const q = city.mapTiles.datum === 'wgs84' ? gcj02ToWgs84(p) : p;
    return [q.lat, q.lng];
  };
  const toMapRef = useRef(toMap);
  toMapRef.current = toMap;

  useEffect(() => {
    if (!host.current) return;
    const m = L.map(host.current, { attributionControl: false }).setView(toMapRef.current(city.center), 13);
    L.tileLayer(city.mapTiles.url, { subdomains: city.mapTiles.subdomains, maxZoom: 18, minZoom: 8 }).addTo(m);
    clusters.current = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 }).addTo(m);
    map.current = m;
    return () => {
      m.remove();
      map.current = null;
      clusters.current = null;
      grids.current = null;
    };
  }, [city]);

  useEffect(() => {
    const m = map.current;
    if (!m || !boundaries) return;
    grids.current?.remove();
    grids.current = L.geoJSON(boundaries as GeoJSON.FeatureCollection, {
      style: { color: '#1677ff', weight: 1, opacity: 0.6, fillOpacity: 0.03 },
      interactive: false,
      coordsToLatLng: (c: number[]) => L.latLng(toMapRef.current({ lng: c[0]!, lat: c[1]! })),
    }).addTo(m);
    grids.current.bringToBack();
  }, [boundaries, city]);

  useEffect(() => {
    const m = map.current;
    const group = clusters.current;
    if (!m || !group) return;
    group.clearLayers();
    const markers = items.map((c) => {
      const color = STATE_MARKER_COLORS[c.state];
      const icon = L.divIcon({
        className: 'case-marker',
        html: `<span style="display:block;width:18px;height:18px;border-radius:50%;background:${color};border:3px solid ${c.overdue ? '#f5222d' : '#fff'};box-shadow:0 0 3px rgba(0,0,0,.5)"></span>`,
        iconSize: [24, 24],
        iconAnchor: [12, 12],
      });
      const marker = L.marker(toMapRef.current(c.location), { icon, title: c.caseNo, alt: `${c.caseNo} ${STAFF_STATE_NAMES_ZH[c.state]}` });
      marker.bindTooltip(`${c.caseNo} · ${c.categoryName} · ${STAFF_STATE_NAMES_ZH[c.state]}${c.overdue ? ' · 超期' : ''}`);
      marker.on('click', () => open.current(c.id));
      return marker;
    });
    group.addLayers(markers);
    if (markers.length) m.fitBounds(L.latLngBounds(markers.map((mk) => mk.getLatLng())).pad(0.2), { maxZoom: 16 });
  }, [items, city]);

  const states = [...new Set(items.map((c) => c.state))];
  return (
    <div>
      <div
        ref={host}
        style={{ height: 'max(420px, calc(100vh - 380px))', width: '100%', borderRadius: 8 }}
        data-testid="case-map"
        role="application"
        aria-label="案件地图"
      />
      <Space wrap style={{ marginTop: 8 }}>
        <Typography.Text type="secondary">地图显示已加载的 {items.length} 件案件：</Typography.Text>
        {states.map((s) => (
          <Tag key={s} color={STATE_MARKER_COLORS[s]}>
            {STAFF_STATE_NAMES_ZH[s]}
          </Tag>
        ))}
        <Tag color="#f5222d">红色外圈：超期</Tag>
      </Space>
    </div>
  );
}

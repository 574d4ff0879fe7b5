import { useEffect, useRef, useState } from 'react';
import { Button, Space, Typography } from 'antd';
import { CheckOutlined, CloseOutlined, EditOutlined, UndoOutlined } from '@ant-design/icons';
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { CityAnswer, GridGeometry, LatLng } from '@ssp/shared';
import { addVertex, fromMapDatum, moveVertex, polygonFromVertices, ringsOnMap, toMapDatum, undoVertex, vertices } from '../grid-drawing';

export interface SiblingGrid {
  key: string;
  name: string;
  geometry: GridGeometry;
}

interface Props {
  city: CityAnswer;
  /** The selected grid (the map fits to it when it changes). */
  gridKey: string;
  /** Its boundary (GCJ-02): the last valid one while the text being typed is not. */
  geometry: GridGeometry;
  /** The other grids of its street, drawn faintly. */
  siblings: SiblingGrid[];
  /** A boundary drawn or reshaped on the map (GCJ-02). */
  onChange: (geometry: GridGeometry) => void;
}

const SELECTED: L.PathOptions = { color: '#d4380d', weight: 2, opacity: 0.9, fillColor: '#fa541c', fillOpacity: 0.25 };
const SIBLING: L.PathOptions = { color: '#1677ff', weight: 1, opacity: 0.5, fillColor: '#1677ff', fillOpacity: 0.05, dashArray: '4 3' };
const PREVIEW: L.PolylineOptions = { color: '#722ed1', weight: 2, dashArray: '6 4' };
/** More vertices than this get no drag handles (a surveyed boundary is edited as text). */
const MAX_HANDLES = 200;

const handleIcon = L.divIcon({
  className: 'grid-vertex-handle',
  html: '<span style="display:block;width:10px;height:10px;background:#fff;border:2px solid #d4380d;border-radius:2px;box-sizing:border-box"></span>',
  iconSize: [10, 10],
  iconAnchor: [5, 5],
});

const ll = (p: LatLng) => L.latLng(p.lat, p.lng);

/**
 * The selected grid's boundary on the deployment's map tiles (GCJ-02 positions, converted over
 * WGS-84 tiles as the case map does), its street's other grids faintly. 「在地图上绘制边界」
 * turns clicks into vertices; 「完成」 closes them into a Polygon; the existing boundary's
 * vertices can be dragged. Both hand the new boundary (GCJ-02) to `onChange`.
 */
export function GridBoundaryMap({ city, gridKey, geometry, siblings, onChange }: Props) {
  const host = useRef<HTMLDivElement | null>(null);
  const map = useRef<L.Map | null>(null);
  const [ready, setReady] = useState(0);
  const [drawing, setDrawing] = useState(false);
  const [points, setPoints] = useState<LatLng[]>([]);
  const [error, setError] = useState('');
  const datum = city.mapTiles.datum;
  const change = useRef(onChange);
  change.current = onChange;
  const drawingRef = useRef(drawing);
  drawingRef.current = drawing;
  /** The grid the view was last fitted to. */
  const fitted = useRef<string | null>(null);

  // The map, once per city; it follows its box's size (tabs hide it, the window resizes).
  useEffect(() => {
    if (!host.current) return;
    const m = L.map(host.current, { attributionControl: false }).setView(ll(toMapDatum(city.center, city.mapTiles.datum)), 14);
    L.tileLayer(city.mapTiles.url, { subdomains: city.mapTiles.subdomains, maxZoom: 19, minZoom: 8 }).addTo(m);
    m.on('click', (e: L.LeafletMouseEvent) => {
      if (drawingRef.current) setPoints((ps) => addVertex(ps, { lat: e.latlng.lat, lng: e.latlng.lng }));
    });
    const resize = new ResizeObserver(() => m.invalidateSize());
    resize.observe(host.current);
    map.current = m;
    fitted.current = null;
    setReady((n) => n + 1);
    return () => {
      resize.disconnect();
      m.remove();
      map.current = null;
    };
  }, [city]);

  // Another grid: drawing stops.
  useEffect(() => {
    setDrawing(false);
    setPoints([]);
    setError('');
  }, [gridKey]);

  // While drawing a double click adds a vertex rather than zooming.
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    if (drawing) m.doubleClickZoom.disable();
    else m.doubleClickZoom.enable();
    m.getContainer().style.cursor = drawing ? 'crosshair' : '';
  }, [drawing, ready]);

  // The street's other grids.
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const group = L.layerGroup(
      siblings.flatMap((s) =>
        ringsOnMap(s.geometry, datum).map((rings) =>
          L.polygon(
            rings.map((ring) => ring.map(ll)),
            { ...SIBLING, interactive: true },
          ).bindTooltip(s.name || '（未命名）', { sticky: true }),
        ),
      ),
    ).addTo(m);
    return () => {
      group.remove();
    };
  }, [siblings, datum, ready]);

  // The selected boundary with its vertices' drag handles; the view fits to it when another grid is selected or it leaves the view.
  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const shapes = ringsOnMap(geometry, datum).map((rings) =>
      L.polygon(
        rings.map((ring) => ring.map(ll)),
        { ...SELECTED, interactive: false },
      ),
    );
    const group = L.featureGroup(shapes).addTo(m);
    for (const shape of shapes) shape.getElement()?.setAttribute('data-testid', 'area-map-selected');
    const bounds = group.getBounds();
    if (bounds.isValid() && (fitted.current !== gridKey || !m.getBounds().contains(bounds))) {
      m.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
      fitted.current = gridKey;
    }
    const handles = vertices(geometry);
    if (!drawing && handles.length <= MAX_HANDLES) {
      for (const { at, position } of handles) {
        const marker = L.marker(ll(toMapDatum(position, datum)), { icon: handleIcon, draggable: true, keyboard: false, title: '拖动以调整边界' });
        marker.on('drag', () => {
          // Reshape the drawn polygon as the handle moves; the boundary changes when it is dropped.
          const shape = shapes[at.polygon];
          if (!shape) return;
          const rings = shape.getLatLngs() as L.LatLng[][];
          const ring = rings[at.ring];
          if (!ring) return;
          ring[at.index] = marker.getLatLng();
          shape.setLatLngs(rings);
        });
        marker.on('dragend', () => {
          const p = marker.getLatLng();
          change.current(moveVertex(geometry, at, fromMapDatum({ lat: p.lat, lng: p.lng }, datum)));
        });
        group.addLayer(marker);
      }
    }
    return () => {
      group.remove();
    };
  }, [geometry, gridKey, datum, drawing, ready]);

  // The vertices clicked so far.
  useEffect(() => {
    const m = map.current;
    if (!m || !drawing) return;
    const group = L.layerGroup([
      L.polyline(points.map(ll), { ...PREVIEW, interactive: false }),
      ...points.map((p, i) =>
        L.circleMarker(ll(p), { radius: i === 0 ? 6 : 4, color: '#722ed1', weight: 2, fillColor: '#fff', fillOpacity: 1, interactive: false }),
      ),
    ]).addTo(m);
    return () => {
      group.remove();
    };
  }, [points, drawing, ready]);

  const finish = () => {
    const drawn = polygonFromVertices(points, datum);
    if (!drawn.ok) {
      setError(drawn.error);
      return;
    }
    setDrawing(false);
    setPoints([]);
    setError('');
    change.current(drawn.geometry);
  };
  const cancel = () => {
    setDrawing(false);
    setPoints([]);
    setError('');
  };

  return (
    <div data-testid="area-map-panel">
      <Space wrap style={{ marginBottom: 8 }}>
        {drawing ? (
          <>
            <Button size="small" type="primary" icon={<CheckOutlined />} disabled={points.length < 3} onClick={finish} data-testid="area-draw-finish">
              完成
            </Button>
            <Button size="small" icon={<UndoOutlined />} disabled={!points.length} onClick={() => setPoints(undoVertex)} data-testid="area-draw-undo">
              撤销一点
            </Button>
            <Button size="small" icon={<CloseOutlined />} onClick={cancel} data-testid="area-draw-cancel">
              取消
            </Button>
            <Typography.Text type="secondary" data-testid="area-draw-count">
              已点 {points.length} 个顶点：在地图上依次点击边界的拐点，至少 3 个，点「完成」闭合
            </Typography.Text>
          </>
        ) : (
          <>
            <Button size="small" icon={<EditOutlined />} onClick={() => setDrawing(true)} data-testid="area-draw-start">
              在地图上绘制边界
            </Button>
            <Typography.Text type="secondary">
              {vertices(geometry).length <= MAX_HANDLES ? '拖动方形顶点可调整边界；' : ''}虚线为同一街道的其他网格
            </Typography.Text>
          </>
        )}
      </Space>
      {error && (
        <Typography.Text type="danger" style={{ display: 'block', marginBottom: 8 }} data-testid="area-draw-error">
          {error}
        </Typography.Text>
      )}
      <div
        ref={host}
        style={{ height: 340, width: '100%', borderRadius: 8 }}
        data-testid="area-map"
        role="application"
        aria-label="网格边界地图：绘制时在地图上依次点击边界的拐点"
      />
    </div>
  );
}

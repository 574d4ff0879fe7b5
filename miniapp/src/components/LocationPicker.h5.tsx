import { useEffect, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { nudge, parseCoordinate, round6 } from '../logic/geo';
import { GridPicker } from './GridPicker';
import { SiteMap } from './SiteMap.h5';
import type { LocationPickerProps } from './location-picker-props';
import './LocationPicker.css';

const STEP_M = 20;
const NUDGES: [string, number, number][] = [
  ['北', 1, 0],
  ['南', -1, 0],
  ['西', 0, -1],
  ['东', 0, 1],
];

/**
 * Browser version: a map to tap (SiteMap, Leaflet), the device position, the photo's
 * position, a grid chosen from the city's areas, and editable coordinates with a nudge
 * pad for keyboard and screen-reader users.
 */
export function LocationPicker({ value, center, placeText, placeError, locating, exif, onLocate, onChange }: LocationPickerProps) {
  const [lat, setLat] = useState(value ? String(value.lat) : '');
  const [lng, setLng] = useState(value ? String(value.lng) : '');
  const [gridOpen, setGridOpen] = useState(false);
  const [manual, setManual] = useState(false);

  // Follow the point's coordinates, not the object's identity (a new object each render).
  const valueLat = value?.lat;
  const valueLng = value?.lng;
  useEffect(() => {
    setLat(valueLat === undefined ? '' : String(valueLat));
    setLng(valueLng === undefined ? '' : String(valueLng));
  }, [valueLat, valueLng]);

  const commitTyped = () => {
    const la = parseCoordinate(lat, 'lat');
    const ln = parseCoordinate(lng, 'lng');
    if (la !== null && ln !== null && (la !== value?.lat || ln !== value?.lng)) onChange({ lat: round6(la), lng: round6(ln), source: 'manual' });
  };
  const move = (north: number, east: number) => value && onChange({ ...nudge(value, north * STEP_M, east * STEP_M), source: 'manual' });

  return (
    <View className="loc">
      <SiteMap value={value} center={center} onPick={(p) => onChange({ lat: round6(p.lat), lng: round6(p.lng), source: 'map' })} />
      <View className="loc__place" data-testid="location-place">
        <Text className={placeError ? 'danger-text' : ''}>{locating ? '正在定位…' : placeText || '还没有位置，请定位或选择网格'}</Text>
      </View>
      <View className="btn-row">
        <View role="button" className="btn btn--small" onClick={onLocate} data-testid="locate">
          重新定位
        </View>
        <View role="button" className="btn btn--small" onClick={() => setGridOpen(true)} data-testid="pick-grid">
          按网格选择
        </View>
        {exif && (
          <View role="button" className="btn btn--small" onClick={() => onChange({ ...exif, source: 'exif' })} data-testid="use-exif">
            用照片位置
          </View>
        )}
      </View>
      {!manual ? (
        <Text className="loc__manual-toggle" onClick={() => setManual(true)} data-testid="manual-location">
          位置不准？手动微调 ›
        </Text>
      ) : (
        <View>
          <View className="loc__coords">
            <View className="loc__coord">
              <Text className="muted small">纬度</Text>
              <Input
                nativeProps={{ 'aria-label': '纬度' }}
                className="field__input"
                type="digit"
                value={lat}
                onInput={(e) => setLat(e.detail.value)}
                onBlur={commitTyped}
                data-testid="lat"
              />
            </View>
            <View className="loc__coord">
              <Text className="muted small">经度</Text>
              <Input
                nativeProps={{ 'aria-label': '经度' }}
                className="field__input"
                type="digit"
                value={lng}
                onInput={(e) => setLng(e.detail.value)}
                onBlur={commitTyped}
                data-testid="lng"
              />
            </View>
          </View>
          {value && (
            <View className="loc__pad">
              <Text className="muted small">微调（每次 {STEP_M} 米）</Text>
              <View className="row">
                {NUDGES.map(([label, north, east]) => (
                  <View key={label} className="loc__nudge" onClick={() => move(north, east)}>
                    {label}
                  </View>
                ))}
              </View>
            </View>
          )}
        </View>
      )}
      <GridPicker
        open={gridOpen}
        onClose={() => setGridOpen(false)}
        onPick={(g) => {
          setGridOpen(false);
          onChange({ lat: g.centroid.lat, lng: g.centroid.lng, source: 'grid' });
        }}
      />
    </View>
  );
}

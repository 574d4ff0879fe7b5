import Taro from '@tarojs/taro';
import { Map, Text, View } from '@tarojs/components';
import pin from '../assets/pin.png';
import { round6 } from '../logic/geo';
import type { LocationPickerProps } from './location-picker-props';
import { pressable } from './pressable';
import './LocationPicker.css';

/** WeChat: the position on a real map; tap the map to move the pin, or pick a place with the map picker. */
export function LocationPicker({ value, center, placeText, placeError, locating, exif, onLocate, onChange }: LocationPickerProps) {
  const at = value ?? center ?? { lat: 39.909, lng: 116.397 };
  const markers = value ? [{ id: 1, latitude: value.lat, longitude: value.lng, iconPath: pin as string, width: 32, height: 40 }] : [];

  const chooseOnMap = async () => {
    try {
      const r = await Taro.chooseLocation({ latitude: at.lat, longitude: at.lng });
      onChange({ lat: round6(r.latitude), lng: round6(r.longitude), source: 'map', placeName: r.name || r.address || undefined });
    } catch {
      /* cancelled */
    }
  };

  return (
    <View className="loc">
      <Map
        id="report-map"
        className="loc__map"
        latitude={at.lat}
        longitude={at.lng}
        scale={17}
        markers={markers}
        showLocation
        onTap={(e) => {
          const d = e.detail as unknown as { latitude?: number; longitude?: number };
          if (typeof d.latitude === 'number' && typeof d.longitude === 'number') {
            onChange({ lat: round6(d.latitude), lng: round6(d.longitude), source: 'map' });
          }
        }}
        onError={() => undefined}
      />
      <View className="loc__place">
        <Text className={placeError ? 'danger-text' : ''}>{locating ? '正在定位…' : placeText || '轻点地图标出问题位置'}</Text>
      </View>
      <View className="btn-row">
        <View className="btn btn--small" {...pressable(onLocate)}>
          重新定位
        </View>
        <View className="btn btn--small" {...pressable(chooseOnMap)}>
          地图选点
        </View>
        {exif && (
          <View className="btn btn--small" {...pressable(() => onChange({ ...exif, source: 'exif' }))}>
            用照片位置
          </View>
        )}
      </View>
    </View>
  );
}

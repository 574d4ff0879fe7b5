import { useEffect, useState } from 'react';
import { Text, View } from '@tarojs/components';
import type { AreaTree } from '@ssp/shared';
import { cityApi } from '../services/api';
import { errorMessage } from '../services/ui';
import { Sheet } from './Sheet';
import { pressable } from './pressable';

export interface PickedGrid {
  id: string;
  label: string;
  centroid: { lat: number; lng: number };
}

/** District → street → grid, for when the device cannot say where it is. */
export function GridPicker({ open, onClose, onPick }: { open: boolean; onClose: () => void; onPick: (g: PickedGrid) => void }) {
  const [tree, setTree] = useState<AreaTree | null>(null);
  const [error, setError] = useState('');
  const [districtId, setDistrictId] = useState<string | null>(null);
  const [streetId, setStreetId] = useState<string | null>(null);

  useEffect(() => {
    if (!open || tree) return;
    cityApi
      .areas()
      .then(setTree)
      .catch((e: unknown) => setError(errorMessage(e, '区域加载失败')));
  }, [open, tree]);

  const district = tree?.districts.find((d) => d.id === districtId);
  const street = district?.streets.find((s) => s.id === streetId);
  const title = street ? street.name : district ? district.name : '选择所在区域';
  const back = () => (street ? setStreetId(null) : setDistrictId(null));

  return (
    <Sheet title={title} open={open} onClose={onClose}>
      {error && <View className="banner banner--error">{error}</View>}
      {district && (
        <View className="list-item" {...pressable(back)}>
          <Text className="muted">‹ 返回上一级</Text>
        </View>
      )}
      {!district &&
        tree?.districts.map((d) => (
          <View key={d.id} className="list-item" {...pressable(() => setDistrictId(d.id))} data-testid="grid-district">
            <Text className="grow">{d.name}</Text>
            <Text className="list-item__arrow">›</Text>
          </View>
        ))}
      {district &&
        !street &&
        district.streets.map((s) => (
          <View key={s.id} className="list-item" {...pressable(() => setStreetId(s.id))} data-testid="grid-street">
            <Text className="grow">{s.name}</Text>
            <Text className="list-item__arrow">›</Text>
          </View>
        ))}
      {street &&
        street.grids.map((g) => (
          <View
            key={g.id}
            className="list-item"
            {...pressable(() => onPick({ id: g.id, label: `${district!.name} ${street.name} ${g.name}`, centroid: g.centroid }))}
            data-testid="grid-grid"
          >
            <Text className="grow">{g.name}</Text>
          </View>
        ))}
    </Sheet>
  );
}

import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';

export interface Figure {
  value: ReactNode;
  label: string;
}

/** A row of headline numbers, each over its label (styles in blocks.css). */
export function Figures({ items, className }: { items: Figure[]; className?: string }) {
  return (
    <View className={className ? `figures ${className}` : 'figures'}>
      {items.map((f) => (
        <View key={f.label} className="figure">
          <Text className="figure__value">{f.value}</Text>
          <Text className="figure__label">{f.label}</Text>
        </View>
      ))}
    </View>
  );
}

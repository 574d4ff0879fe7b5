import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';

/** A bottom sheet over a dimmed page; tapping the dim or 关闭 closes it. */
export function Sheet({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  if (!open) return null;
  return (
    <View>
      <View className="sheet-mask" onClick={onClose} />
      <View className="sheet" catchMove>
        <View className="sheet__head">
          <Text className="sheet__title">{title}</Text>
          <View className="sheet__close" role="button" onClick={onClose} data-testid="sheet-close">
            关闭
          </View>
        </View>
        {children}
      </View>
    </View>
  );
}

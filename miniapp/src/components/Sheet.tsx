import type { ReactNode } from 'react';
import { Text, View } from '@tarojs/components';
import { pressable } from './pressable';

/** A bottom sheet over a dimmed page; tapping the dim or 关闭 closes it. */
export function Sheet({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  if (!open) return null;
  return (
    <View>
      {/* The dim closes the sheet on a tap; keyboard and screen reader users have 关闭. */}
      <View className="sheet-mask" aria-hidden onClick={onClose} />
      <View className="sheet" catchMove role="dialog" aria-modal="true" aria-label={title}>
        <View className="sheet__head">
          <Text className="sheet__title">{title}</Text>
          <View className="sheet__close" {...pressable(onClose, { label: `关闭${title}` })} data-testid="sheet-close">
            关闭
          </View>
        </View>
        {children}
      </View>
    </View>
  );
}

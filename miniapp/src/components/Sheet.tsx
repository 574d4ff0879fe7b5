import type { ReactNode } from 'react';
import { View } from '@tarojs/components';

/** A bottom sheet over a dimmed page; tapping the dim closes it. */
export function Sheet({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  if (!open) return null;
  return (
    <View>
      <View className='sheet-mask' onClick={onClose} />
      <View className='sheet' catchMove>
        <View className='sheet__title'>{title}</View>
        {children}
      </View>
    </View>
  );
}

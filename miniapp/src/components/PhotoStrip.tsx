import Taro from '@tarojs/taro';
import { Image, View } from '@tarojs/components';
import { mediaUrl } from '../services/client';
import { pressable } from './pressable';

/** A row of thumbnails; tapping one opens the full-size viewer. */
export function PhotoStrip({ photos, testId }: { photos: { id: string; url: string; thumbUrl: string }[]; testId?: string }) {
  if (!photos.length) return null;
  const urls = photos.map((p) => mediaUrl(p.url));
  return (
    <View className="photo-strip" data-testid={testId}>
      {photos.map((p, i) => (
        <Image
          key={p.id}
          className="photo-strip__img"
          nativeProps={{ alt: `照片 ${i + 1}` }}
          src={mediaUrl(p.thumbUrl)}
          mode="aspectFill"
          {...pressable(() => void Taro.previewImage({ urls, current: urls[i] }), { label: `查看照片 ${i + 1} 的大图` })}
        />
      ))}
    </View>
  );
}

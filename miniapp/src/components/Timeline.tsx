import { Text, View } from '@tarojs/components';
import { formatDateTime } from '../logic/format';
import { PhotoStrip } from './PhotoStrip';
import './Timeline.css';

export interface TimelineItem {
  key: string;
  at: string;
  title: string;
  actor?: string | null;
  note?: string | null;
  extra?: string | null;
  photos?: { id: string; url: string; thumbUrl: string }[];
}

/** Newest first; the newest entry is highlighted. */
export function Timeline({ items }: { items: TimelineItem[] }) {
  const sorted = [...items].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <View className="timeline" data-testid="timeline">
      {sorted.map((item, i) => (
        <View key={item.key} className={`tl ${i === 0 ? 'tl--latest' : ''}`}>
          <View className="tl__dot" />
          <View className="tl__body">
            <View className="row row--between">
              <Text className="tl__title">{item.title}</Text>
              <Text className="muted small">{formatDateTime(item.at)}</Text>
            </View>
            {item.actor && <Text className="muted small">{item.actor}</Text>}
            {item.note && <View className="tl__note">{item.note}</View>}
            {item.extra && <View className="tl__note tl__note--internal">{item.extra}</View>}
            {item.photos && item.photos.length > 0 && <PhotoStrip photos={item.photos} />}
          </View>
        </View>
      ))}
    </View>
  );
}

import { Image, Text, View } from '@tarojs/components';
import type { UploadItem } from '../logic/upload-queue';
import { mediaUrl } from '../services/client';
import { pressable } from './pressable';
import './PhotoTiles.css';

export interface TilePhoto {
  id: string;
  thumbUrl: string;
}

interface Props<P> {
  photos: TilePhoto[];
  uploads: readonly UploadItem<P>[];
  max: number;
  onAdd: () => void;
  onRemove: (id: string) => void;
  onRetry: (key: string) => void;
  onDiscard: (key: string) => void;
  onPreview?: (index: number) => void;
  addLabel?: string;
}

/**
 * Uploaded photos, photos on their way (each with its own progress) and failed ones
 * (retry or remove), then the add tile while there is room.
 */
export function PhotoTiles<P>({ photos, uploads, max, onAdd, onRemove, onRetry, onDiscard, onPreview, addLabel = '拍照/相册' }: Props<P>) {
  const room = max - photos.length - uploads.length;
  return (
    <View className="tiles" data-testid="photo-tiles">
      {photos.map((p, i) => (
        <View key={p.id} className="tile" data-testid="photo-done">
          <Image
            className="tile__img"
            nativeProps={{ alt: `照片 ${i + 1}` }}
            src={mediaUrl(p.thumbUrl)}
            mode="aspectFill"
            {...(onPreview ? pressable(() => onPreview(i), { label: `查看照片 ${i + 1} 的大图` }) : {})}
          />
          <View className="tile__remove" {...pressable(() => onRemove(p.id), { label: `删除照片 ${i + 1}` })}>
            ×
          </View>
        </View>
      ))}
      {uploads.map((u) => (
        <View key={u.key} className="tile" data-testid={`photo-${u.status}`}>
          <Image className="tile__img tile__img--pending" nativeProps={{ alt: '正在上传的照片' }} src={u.filePath} mode="aspectFill" />
          {u.status !== 'failed' ? (
            <View className="tile__overlay">
              <Text className="tile__percent">{u.status === 'queued' ? '等待上传' : `${u.progress}%`}</Text>
              <View className="tile__bar" role="progressbar" aria-label="上传进度" aria-valuemin={0} aria-valuemax={100} aria-valuenow={u.progress}>
                <View className="tile__bar-fill" style={{ width: `${u.progress}%` }} />
              </View>
            </View>
          ) : (
            <View className="tile__overlay tile__overlay--failed">
              <Text className="tile__error">{u.retryable ? '上传失败' : u.error}</Text>
              <View className="row">
                {u.retryable && (
                  <View className="tile__action" {...pressable(() => onRetry(u.key))}>
                    重试
                  </View>
                )}
                <View className="tile__action" {...pressable(() => onDiscard(u.key), { label: '删除这张照片' })}>
                  删除
                </View>
              </View>
            </View>
          )}
        </View>
      ))}
      {room > 0 && (
        <View className="tile tile--add" {...pressable(onAdd)} data-testid="photo-add">
          <Text className="tile__plus">+</Text>
          <Text className="tile__add-label">{addLabel}</Text>
          <Text className="tile__count">
            {photos.length + uploads.length}/{max}
          </Text>
        </View>
      )}
    </View>
  );
}

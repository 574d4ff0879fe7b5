import { Text, View } from '@tarojs/components';
import { pressable } from './pressable';

export function EmptyState({ title, hint, actionText, onAction }: { title: string; hint?: string; actionText?: string; onAction?: () => void }) {
  return (
    <View className="empty">
      <Text className="empty__title">{title}</Text>
      {hint && <Text className="empty__hint">{hint}</Text>}
      {actionText && onAction && (
        <View className="btn btn--ghost btn--small inline-flex mt-m" {...pressable(onAction)}>
          {actionText}
        </View>
      )}
    </View>
  );
}

export function LoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return <EmptyState title={message || '加载失败'} hint="请检查网络后重试" actionText="重新加载" onAction={onRetry} />;
}

export function Loading({ text = '加载中…' }: { text?: string }) {
  return (
    <View className="empty">
      <Text className="empty__hint">{text}</Text>
    </View>
  );
}

import { useShareAppMessage, useShareTimeline } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { pageRoute } from '@ssp/shared';
import { PhotoStrip } from '../../components/PhotoStrip';
import { LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { usePageQuery } from '../../hooks/usePageQuery';
import { reportsApi } from '../../services/api';
import '../public.css';
import { TextScale } from '../../components/TextScale';

/** A fixed problem a citizen shared: before and after, the area down to the grid, never who reported it or exactly where. */
export default function SharedCasePage() {
  const params = usePageQuery('sharedCase');
  const id = params.id ?? '';
  const shared = useAsync(() => reportsApi.shared(id), [id]);
  const c = shared.data;
  const title = c ? `${c.area.split(' ').slice(-2).join('')}的${c.categoryName}修好了` : '城市问题修好了';
  useShareAppMessage(() => ({ title, path: `/${pageRoute('sharedCase', { id })}`, imageUrl: c?.after[0]?.url }));
  useShareTimeline(() => ({ title, query: `id=${id}` }));

  if (!c) return shared.error ? <LoadError message={shared.error} onRetry={() => void shared.reload()} /> : <Loading />;
  return (
    <View className="page" data-testid="shared-case">
      <TextScale />
      <View className="card">
        <Text className="title-l block">{c.categoryName}</Text>
        <Text className="muted block">{c.area}</Text>
        <Text className="muted small block">
          {c.reportedOn} 市民上报{c.closedOn ? ` · ${c.closedOn} 结案` : ''}
        </Text>
      </View>
      <View className="card">
        <View className="card__title">修好前</View>
        <PhotoStrip photos={c.before.map((p, i) => ({ id: String(i), ...p }))} testId="shared-before" />
      </View>
      <View className="card">
        <View className="card__title">修好后</View>
        <PhotoStrip photos={c.after.map((p, i) => ({ id: String(i), ...p }))} testId="shared-after" />
      </View>
      {process.env.TARO_ENV === 'weapp' && (
        <Button className="btn btn--primary btn--block" openType="share">
          分享给朋友
        </Button>
      )}
    </View>
  );
}

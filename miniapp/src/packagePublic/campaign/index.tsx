import Taro, { useDidShow, useShareAppMessage, useShareTimeline } from '@tarojs/taro';
import { View } from '@tarojs/components';
import { campaignIdFromScene, pageRoute, tabUrl } from '@ssp/shared';
import { CampaignView } from '../../components/CampaignView';
import { LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { usePageQuery } from '../../hooks/usePageQuery';
import { joinCampaign, loadDraft, saveDraft } from '../../logic/draft';
import { campaignsApi } from '../../services/api';
import { storage } from '../../services/storage';
import '../public.css';
import { TextScale } from '../../components/TextScale';
import { askToSubscribe, loadSubscriptions } from '../../services/subscriptions';
import { pressable } from '../../components/pressable';

export default function CampaignPage() {
  const params = usePageQuery('campaign');
  // Opened from a poster's mini-program code, the id comes in the scene.
  const id = params.id ?? campaignIdFromScene(params.scene) ?? '';
  const campaign = useAsync(() => campaignsApi.detail(id), [id]);
  useDidShow(() => void loadSubscriptions());
  const c = campaign.data;
  useShareAppMessage(() => ({ title: c?.title ?? '城市随手拍活动', path: `/${pageRoute('campaign', { id })}`, imageUrl: c?.cover?.url }));
  useShareTimeline(() => ({ title: c?.title ?? '城市随手拍活动', query: `id=${id}` }));
  if (!c) return campaign.error ? <LoadError message={campaign.error} onRetry={() => void campaign.reload()} /> : <Loading />;

  /** "参与活动": the draft joins the campaign (its categories first, one preselected) and 上报 opens. */
  const join = () => {
    // From the tap itself (WeChat's rule): the progress templates for the report about to be made.
    void askToSubscribe();
    const names = Object.fromEntries(c.targetCategories.map((t) => [t.id, t.name]));
    const draft = joinCampaign(
      loadDraft(storage),
      { id: c.id, title: c.title, categoryIds: c.targetCategories.map((t) => t.id), multiplier: c.multiplier },
      names,
    );
    saveDraft(storage, draft);
    void Taro.switchTab({ url: tabUrl('report') });
  };

  return (
    <View className="page">
      <TextScale />
      <CampaignView campaign={c} />
      {c.status === 'live' && (
        <View className="sticky-bottom">
          <View className="btn btn--primary btn--block" {...pressable(join)} data-testid="join-campaign">
            参与活动，去上报
          </View>
        </View>
      )}
    </View>
  );
}

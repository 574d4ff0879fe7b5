import { useEffect, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Image, Text, View } from '@tarojs/components';
import { pageUrl, tabUrl, type CampaignSummary, type City, type MyPoints } from '@ssp/shared';
import { HeadlineFigures } from '../../components/HeadlineFigures';
import { useSession } from '../../hooks/useSession';
import { hasContent, loadDraft } from '../../logic/draft';
import { formatDate } from '../../logic/format';
import { campaignsApi, pointsApi } from '../../services/api';
import { cachedCity, loadCity } from '../../services/city-cache';
import { mediaUrl } from '../../services/client';
import { storage } from '../../services/storage';
import './index.css';
import { loadSubscriptions, refreshUnreadBadge } from '../../services/subscriptions';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';

const ENTRIES = [
  { label: '我的上报', icon: '报', url: pageUrl('myReports') },
  { label: '积分', icon: '分', url: pageUrl('points') },
  { label: '活动', icon: '活', url: pageUrl('campaigns') },
  { label: '数据公开', icon: '数', url: pageUrl('stats') },
];

export default function Index() {
  const { signedIn, me } = useSession();
  const [city, setCity] = useState<City | null>(cachedCity);
  const [campaigns, setCampaigns] = useState<CampaignSummary[]>([]);
  const [points, setPoints] = useState<MyPoints | null>(null);
  const [draftWaiting, setDraftWaiting] = useState(false);
  const [statsKey, setStatsKey] = useState(0);

  const load = async () => {
    await Promise.all([
      loadCity().then(setCity),
      campaignsApi
        .list()
        .then((r) => setCampaigns(r.items.filter((c) => c.status === 'live' || c.status === 'scheduled')))
        .catch(() => undefined),
      signedIn
        ? pointsApi
            .mine()
            .then(setPoints)
            .catch(() => undefined)
        : Promise.resolve(),
    ]);
  };

  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signedIn]);
  useDidShow(() => {
    setDraftWaiting(hasContent(loadDraft(storage)));
    void refreshUnreadBadge();
    void loadSubscriptions();
    if (signedIn)
      void pointsApi
        .mine()
        .then(setPoints)
        .catch(() => undefined);
  });
  usePullDownRefresh(() => {
    setStatsKey((k) => k + 1);
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  const goReport = () => void Taro.switchTab({ url: tabUrl('report') });

  return (
    <View className="page home">
      <TextScale />
      <View className="home__hero">
        <Text className="home__city">{city ? `${city.name} · 城市管理` : '城市管理'}</Text>
        <Text className="home__title">发现问题，随手一拍</Text>
        <Text className="home__subtitle">井盖破损、垃圾堆放、乱停乱放……拍下来，我们马上办</Text>
        <View className="home__snap" {...pressable(goReport, { label: '随手拍，上报城市问题' })} data-testid="snap">
          <Text className="home__snap-text">随手拍</Text>
        </View>
        {draftWaiting && (
          <Text className="home__draft" {...pressable(goReport)}>
            您有一条未提交的上报，继续填写 ›
          </Text>
        )}
      </View>

      <View className="card home__entries">
        {ENTRIES.map((e) => (
          <View key={e.url} className="home__entry" {...pressable(() => void Taro.navigateTo({ url: e.url }))}>
            <Text className="home__entry-icon">{e.icon}</Text>
            <Text className="home__entry-label">{e.label}</Text>
          </View>
        ))}
      </View>

      {campaigns.length > 0 && (
        <View className="card" data-testid="home-campaigns">
          <View className="card__title">
            <Text>正在进行的活动</Text>
            <Text className="card__extra" {...pressable(() => void Taro.navigateTo({ url: pageUrl('campaigns') }))}>
              全部 ›
            </Text>
          </View>
          {campaigns.slice(0, 3).map((c) => (
            <View key={c.id} className="home__campaign" {...pressable(() => void Taro.navigateTo({ url: pageUrl('campaign', { id: c.id }) }))}>
              {c.cover ? (
                <Image className="home__campaign-cover" nativeProps={{ alt: '' }} src={mediaUrl(c.cover.thumbUrl)} mode="aspectFill" />
              ) : (
                <View className="home__campaign-cover home__campaign-cover--blank">活动</View>
              )}
              <View className="grow ml-m">
                <Text className="home__campaign-title ellipsis">{c.title}</Text>
                <Text className="muted small ellipsis block">{c.summary || `${formatDate(c.startAt)} 至 ${formatDate(c.endAt)}`}</Text>
                <View className="row mt-s">
                  <Text className={`chip ${c.status === 'live' ? 'chip--done' : 'chip--waiting'}`}>{c.statusName}</Text>
                  {c.multiplier > 1 && <Text className="chip chip--danger ml-s">积分 ×{c.multiplier}</Text>}
                </View>
              </View>
            </View>
          ))}
        </View>
      )}

      <View className="card home__points" {...pressable(() => void Taro.navigateTo({ url: signedIn ? pageUrl('points') : pageUrl('login') }))}>
        <View className="grow">
          <Text className="muted small">我的积分</Text>
          <Text className={signedIn ? 'home__points-value' : 'home__points-login'} data-testid="home-points">
            {signedIn ? (points?.balance ?? me?.points ?? 0) : '登录领积分'}
          </Text>
          <Text className="muted small">
            {signedIn ? `本月已获 ${points?.earnedThisMonth ?? 0} 分 · 可兑换话费和礼品` : '登录后上报问题即可获得积分'}
          </Text>
        </View>
        <Text className="list-item__arrow">›</Text>
      </View>

      <HeadlineFigures key={statsKey} />
    </View>
  );
}

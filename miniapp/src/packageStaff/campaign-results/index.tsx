import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { View } from '@tarojs/components';
import { CAMPAIGN_STATUS_NAMES_ZH } from '@ssp/shared';
import { Figures } from '../../components/Figures';
import { Columns } from '../../components/Bars';
import { LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { usePageQuery } from '../../hooks/usePageQuery';
import { formatPercent } from '../../logic/format';
import { staffCampaignsApi } from '../../services/api';
import { downloadCampaignPoster } from '../../services/poster';
import { toastError, toastOk } from '../../services/ui';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';
import '../../components/blocks.css';
import '../staff.css';

export default function CampaignResultsPage() {
  const params = usePageQuery('campaignResults');
  const results = useAsync(() => staffCampaignsApi.results(params.id ?? ''), [params.id]);
  usePullDownRefresh(() => void results.reload().finally(() => Taro.stopPullDownRefresh()));
  const r = results.data;
  if (!r) return results.error ? <LoadError message={results.error} onRetry={() => void results.reload()} /> : <Loading />;
  const days = r.perDay.slice(-14);
  return (
    <View className="page" data-testid="campaign-results">
      <TextScale />
      <View className="banner banner--info">活动状态：{CAMPAIGN_STATUS_NAMES_ZH[r.status]}</View>
      <View className="card">
        <Figures
          items={[
            { value: r.participants, label: '参与市民' },
            { value: r.newCitizens, label: '新增市民' },
            { value: r.pointsAwarded, label: '发放积分' },
          ]}
        />
      </View>
      <View className="card">
        <Figures
          items={[
            { value: r.reportsReceived, label: '收到上报' },
            { value: r.filed, label: '立案' },
            { value: r.closed, label: '结案' },
            { value: formatPercent(r.onTimeRate, 0), label: '按期率' },
          ]}
        />
      </View>
      <View
        className="btn btn--block"
        data-testid="download-poster"
        {...pressable(
          () =>
            void downloadCampaignPoster(params.id ?? '')
              .then(() => toastOk('海报已下载'))
              .catch(toastError),
        )}
      >
        下载活动海报（含小程序码）
      </View>
      <View className="card">
        <View className="card__title">每日上报（近 14 天）</View>
        <Columns rows={days.map((d) => ({ key: d.date, label: d.date.slice(5), value: d.received }))} />
      </View>
    </View>
  );
}

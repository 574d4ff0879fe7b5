import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { CAMPAIGN_STATUS_NAMES_ZH } from '@ssp/shared';
import { Columns } from '../../components/Bars';
import { LoadError, Loading } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { formatPercent } from '../../logic/format';
import { staffCampaignsApi } from '../../services/api';
import '../../components/blocks.css';
import '../staff.css';

export default function CampaignResultsPage() {
  const { params } = useRouter();
  const results = useAsync(() => staffCampaignsApi.results(params.id ?? ''), [params.id]);
  usePullDownRefresh(() => void results.reload().finally(() => Taro.stopPullDownRefresh()));
  const r = results.data;
  if (!r) return results.error ? <LoadError message={results.error} onRetry={() => void results.reload()} /> : <Loading />;
  const days = r.perDay.slice(-14);
  return (
    <View className='page' data-testid='campaign-results'>
      <View className='banner banner--info'>活动状态：{CAMPAIGN_STATUS_NAMES_ZH[r.status]}</View>
      <View className='card'>
        <View className='figures'>
          <View className='figure'>
            <Text className='figure__value'>{r.participants}</Text>
            <Text className='figure__label'>参与市民</Text>
          </View>
          <View className='figure'>
            <Text className='figure__value'>{r.newCitizens}</Text>
            <Text className='figure__label'>新增市民</Text>
          </View>
          <View className='figure'>
            <Text className='figure__value'>{r.pointsAwarded}</Text>
            <Text className='figure__label'>发放积分</Text>
          </View>
        </View>
      </View>
      <View className='card'>
        <View className='figures'>
          <View className='figure'>
            <Text className='figure__value'>{r.reportsReceived}</Text>
            <Text className='figure__label'>收到上报</Text>
          </View>
          <View className='figure'>
            <Text className='figure__value'>{r.filed}</Text>
            <Text className='figure__label'>立案</Text>
          </View>
          <View className='figure'>
            <Text className='figure__value'>{r.closed}</Text>
            <Text className='figure__label'>结案</Text>
          </View>
          <View className='figure'>
            <Text className='figure__value'>{formatPercent(r.onTimeRate, 0)}</Text>
            <Text className='figure__label'>按期率</Text>
          </View>
        </View>
      </View>
      <View className='card'>
        <View className='card__title'>每日上报（近 14 天）</View>
        <Columns rows={days.map((d) => ({ key: d.date, label: d.date.slice(5), value: d.received }))} />
      </View>
    </View>
  );
}

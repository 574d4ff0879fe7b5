import { View } from '@tarojs/components';
import { EmptyState } from '../../components/States';

export default function StatsPage() {
  return (
    <View className='page'>
      <EmptyState title='统计数据即将上线' />
    </View>
  );
}

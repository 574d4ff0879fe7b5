import { useEffect, useState } from 'react';
import { View, Text } from '@tarojs/components';
import { fetchHealth } from '../../services/api';
import { ApiRequestError } from '../../services/request';
import './index.css';

type ServiceState = { kind: 'loading' } | { kind: 'up'; version: string } | { kind: 'down'; message: string };

export default function Index() {
  const [service, setService] = useState<ServiceState>({ kind: 'loading' });

  useEffect(() => {
    fetchHealth()
      .then((h) => setService({ kind: 'up', version: h.version }))
      .catch((err: unknown) =>
        setService({ kind: 'down', message: err instanceof ApiRequestError ? err.message : '服务暂时不可用' }),
      );
  }, []);

  return (
    <View className='home'>
      <View className='home__hero'>
        <Text className='home__title'>随手拍</Text>
        <Text className='home__subtitle'>发现城市问题，拍一拍，城市管理马上办</Text>
      </View>
      <View className={`home__status home__status--${service.kind}`} data-testid='service-status'>
        {service.kind === 'loading' && <Text>正在连接服务…</Text>}
        {service.kind === 'up' && <Text>服务正常（版本 {service.version}）</Text>}
        {service.kind === 'down' && <Text>{service.message}</Text>}
      </View>
    </View>
  );
}

import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import { pageUrl, tabUrl } from '@ssp/shared';
import { LoginPanel } from '../../components/LoginPanel';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';
import './index.css';

export default function LoginPage() {
  const done = () => {
    if (Taro.getCurrentPages().length > 1) void Taro.navigateBack();
    else void Taro.switchTab({ url: tabUrl('mine') });
  };
  return (
    <View className="page">
      <TextScale />
      <View className="login__hero">
        <Text className="login__title">随手拍</Text>
        <Text className="login__subtitle">发现城市问题，拍一拍，马上办</Text>
      </View>
      <View className="card">
        <LoginPanel onDone={done} />
      </View>
      <View className="muted small login__staff" {...pressable(() => void Taro.navigateTo({ url: pageUrl('staffLogin') }))}>
        工作人员请从这里登录 ›
      </View>
    </View>
  );
}

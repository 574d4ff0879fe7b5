import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Input, Text, View } from '@tarojs/components';
import { pageUrl } from '@ssp/shared';
import { staffLogin } from '../../services/session';
import { toastError } from '../../services/ui';
import { TextScale } from '../../components/TextScale';
import { pressable } from '../../components/pressable';
import '../staff.css';

export default function StaffLoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  const login = async () => {
    if (!username.trim() || !password) {
      void Taro.showToast({ title: '请填写用户名和密码', icon: 'none' });
      return;
    }
    setBusy(true);
    try {
      await staffLogin(username.trim(), password);
      void Taro.redirectTo({ url: pageUrl('workbench') });
    } catch (e) {
      toastError(e, '登录失败');
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page">
      <TextScale />
      <View className="staff-hero">
        <Text className="staff-hero__title">数字城管工作台</Text>
        <Text className="staff-hero__sub">受理 · 派遣 · 处置 · 核查 · 宣传</Text>
      </View>
      <View className="card">
        <View className="field">
          <View className="field__label">用户名</View>
          <Input
            nativeProps={{ 'aria-label': '用户名' }}
            className="field__input"
            value={username}
            onInput={(e) => setUsername(e.detail.value)}
            data-testid="staff-username"
          />
        </View>
        <View className="field">
          <View className="field__label">密码</View>
          <Input
            nativeProps={{ 'aria-label': '密码' }}
            className="field__input"
            password
            value={password}
            onInput={(e) => setPassword(e.detail.value)}
            onConfirm={() => void login()}
            data-testid="staff-password"
          />
        </View>
        <View
          className={`btn btn--primary btn--block ${busy ? 'btn--disabled' : ''} mt-m`}
          aria-disabled={!!busy}
          {...pressable(() => !busy && void login())}
          data-testid="staff-login"
        >
          {busy ? '正在登录…' : '登录'}
        </View>
      </View>
      <Text className="muted small block center">账号由管理员分配；连续输错密码会临时锁定</Text>
    </View>
  );
}

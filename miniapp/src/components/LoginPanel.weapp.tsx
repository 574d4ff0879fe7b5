import { useState } from 'react';
import { Text, View } from '@tarojs/components';
import { silentLogin } from '../services/login';
import { signedIn } from '../services/session';
import { toastError } from '../services/ui';
import { pressable } from './pressable';

/** WeChat: one tap; the API trades Taro.login's code for a session. */
export function LoginPanel({ onDone }: { onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const login = async () => {
    setBusy(true);
    try {
      const result = await silentLogin();
      if (!result) throw new Error('微信登录失败');
      signedIn(result);
      onDone();
    } catch (err) {
      toastError(err, '微信登录失败，请稍后重试');
    } finally {
      setBusy(false);
    }
  };
  return (
    <View>
      <Text className="muted login__hint">使用微信身份登录，我们只用于记录您的上报和积分。</Text>
      <View
        className={`btn btn--primary btn--block ${busy ? 'btn--disabled' : ''}`}
        aria-disabled={!!busy}
        {...pressable(() => !busy && void login())}
      >
        {busy ? '正在登录…' : '微信一键登录'}
      </View>
    </View>
  );
}

import { useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { devLogin, rememberedDevUser } from '../services/login';
import { signedIn } from '../services/session';
import { toastError } from '../services/ui';

/** A fresh demo account key: lowercase letters and digits, as the dev login requires. */
function newDevUser(): string {
  return `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Browser: 体验登录 through the API's development login. The account key is kept on
 * this device, so the same browser returns to the same account.
 */
export function LoginPanel({ onDone }: { onDone: () => void }) {
  const [nickname, setNickname] = useState('');
  const [devUser, setDevUser] = useState(() => rememberedDevUser() ?? newDevUser());
  const [busy, setBusy] = useState(false);

  const login = async () => {
    const key = devUser.trim().toLowerCase();
    if (!/^[a-z0-9_-]{1,32}$/.test(key)) {
      toastError(new Error(''), '体验账号为 1–32 位小写字母、数字、_ 或 -');
      return;
    }
    setBusy(true);
    try {
      signedIn(await devLogin(key, nickname.trim() || undefined));
      onDone();
    } catch (err) {
      toastError(err, '登录失败，请稍后重试');
    } finally {
      setBusy(false);
    }
  };

  return (
    <View>
      <Text className="muted login__hint">浏览器版本使用体验登录：填写昵称即可开始。</Text>
      <View className="field">
        <View className="field__label">昵称</View>
        <Input
          nativeProps={{ 'aria-label': '昵称' }}
          className="field__input"
          placeholder="例如：热心市民小李"
          maxlength={20}
          value={nickname}
          onInput={(e) => setNickname(e.detail.value)}
          data-testid="login-nickname"
        />
      </View>
      <View className="field">
        <View className="field__label">体验账号（同一账号可在其他设备继续使用）</View>
        <Input
          nativeProps={{ 'aria-label': '体验账号' }}
          className="field__input"
          value={devUser}
          maxlength={32}
          onInput={(e) => setDevUser(e.detail.value)}
          data-testid="login-devuser"
        />
      </View>
      <View
        className={`btn btn--primary btn--block login__submit ${busy ? 'btn--disabled' : ''}`}
        aria-disabled={!!busy}
        onClick={() => !busy && void login()}
        data-testid="login-submit"
      >
        {busy ? '正在登录…' : '体验登录'}
      </View>
    </View>
  );
}

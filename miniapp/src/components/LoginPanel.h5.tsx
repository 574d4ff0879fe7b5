import { useEffect, useState } from 'react';
import { Input, Text, View } from '@tarojs/components';
import { PHONE_PATTERN, type LoginOptions } from '@ssp/shared';
import { bareApi } from '../services/client';
import { devLogin, rememberedDevUser } from '../services/login';
import { signedIn } from '../services/session';
import { toastError } from '../services/ui';

/** A fresh demo account key: lowercase letters and digits, as the dev login requires. */
function newDevUser(): string {
  return `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Browser sign-in: phone number and SMS code where the deployment has an SMS gateway,
 * and the development login (体验登录) only where the API has it switched on.
 */
export function LoginPanel({ onDone }: { onDone: () => void }) {
  const [options, setOptions] = useState<LoginOptions | null>(null);
  useEffect(() => {
    void bareApi
      .call('loginOptions')
      .then(setOptions)
      .catch(() => setOptions({ sms: false, wechatWeb: false, devLogin: false }));
  }, []);
  if (!options) return <Text className="muted">正在加载…</Text>;
  return (
    <View>
      {options.wechatWeb && <WeChatWebLogin onDone={onDone} />}
      {options.sms && <SmsLogin onDone={onDone} />}
      {options.devLogin && <DevLogin onDone={onDone} />}
      {!options.sms && !options.devLogin && <Text className="muted login__hint">请在微信中搜索“随手拍”小程序登录使用。</Text>}
    </View>
  );
}

const inWeChat = () => typeof navigator !== 'undefined' && /MicroMessenger/i.test(navigator.userAgent);

/**
 * Inside WeChat's browser: WeChat web authorisation. Coming back from WeChat, the page
 * carries ?code=…&state=… before its hash; they are exchanged once, then removed.
 */
function WeChatWebLogin({ onDone }: { onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    try {
      const { url } = await bareApi.call('webAuthorizeUrl', { query: {} });
      window.location.href = url;
    } catch (err) {
      setBusy(false);
      toastError(err, '暂时无法使用微信授权，请稍后重试');
    }
  };
  useEffect(() => {
    const q = new URLSearchParams(window.location.search);
    const code = q.get('code');
    const state = q.get('state');
    if (code && state) {
      setBusy(true);
      window.history.replaceState(null, '', `${window.location.pathname}${window.location.hash}`);
      void bareApi
        .call('webLogin', { body: { code, state } })
        .then((result) => {
          signedIn(result);
          onDone();
        })
        .catch((err: unknown) => {
          setBusy(false);
          toastError(err, '微信授权登录失败，请重试');
        });
    } else if (inWeChat()) {
      void start();
    }
    // Once, on opening the page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  if (!inWeChat()) return null;
  return (
    <View
      role="button"
      className={`btn btn--primary btn--block mb-m ${busy ? 'btn--disabled' : ''}`}
      aria-disabled={busy}
      onClick={() => !busy && void start()}
      data-testid="wechat-web-login"
    >
      {busy ? '正在通过微信登录…' : '微信授权登录'}
    </View>
  );
}

function SmsLogin({ onDone }: { onDone: () => void }) {
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [wait, setWait] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (wait <= 0) return;
    const t = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(t);
  }, [wait]);

  const sendCode = async () => {
    if (!PHONE_PATTERN.test(phone.trim())) {
      toastError(new Error(''), '请输入正确的手机号');
      return;
    }
    setBusy(true);
    try {
      const sent = await bareApi.call('sendSmsCode', { body: { phone: phone.trim() } });
      setWait(sent.resendAfterSeconds);
    } catch (err) {
      toastError(err, '验证码发送失败，请稍后重试');
    } finally {
      setBusy(false);
    }
  };

  const login = async () => {
    setBusy(true);
    try {
      signedIn(await bareApi.call('smsLogin', { body: { phone: phone.trim(), code: code.trim() } }));
      onDone();
    } catch (err) {
      toastError(err, '登录失败，请稍后重试');
    } finally {
      setBusy(false);
    }
  };

  const canLogin = PHONE_PATTERN.test(phone.trim()) && /^\d{6}$/.test(code.trim()) && !busy;
  return (
    <View className="mb-m" data-testid="sms-login">
      <View className="field">
        <View className="field__label">手机号</View>
        <Input
          nativeProps={{ 'aria-label': '手机号', autocomplete: 'tel' }}
          className="field__input"
          type="number"
          maxlength={11}
          placeholder="请输入手机号"
          value={phone}
          onInput={(e) => setPhone(e.detail.value)}
          data-testid="sms-phone"
        />
      </View>
      <View className="field">
        <View className="field__label">验证码</View>
        <View className="row">
          <Input
            nativeProps={{ 'aria-label': '短信验证码', autocomplete: 'one-time-code' }}
            className="field__input grow"
            type="number"
            maxlength={6}
            placeholder="6 位数字"
            value={code}
            onInput={(e) => setCode(e.detail.value)}
            data-testid="sms-code"
          />
          <View
            role="button"
            className={`btn btn--small ml-m ${wait > 0 || busy ? 'btn--disabled' : ''}`}
            aria-disabled={wait > 0 || busy}
            onClick={() => wait <= 0 && !busy && void sendCode()}
            data-testid="sms-send"
          >
            {wait > 0 ? `${wait} 秒后重发` : '获取验证码'}
          </View>
        </View>
      </View>
      <View
        role="button"
        className={`btn btn--primary btn--block login__submit ${canLogin ? '' : 'btn--disabled'}`}
        aria-disabled={!canLogin}
        onClick={() => canLogin && void login()}
        data-testid="sms-submit"
      >
        {busy ? '请稍候…' : '登录'}
      </View>
    </View>
  );
}

/** 体验登录 through the API's development login; the account key is kept on this device. */
function DevLogin({ onDone }: { onDone: () => void }) {
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

import { useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Input, Switch, Text, View } from '@tarojs/components';
import { PHONE_PATTERN, STAFF_ROLE_NAMES_ZH, pageUrl, tabUrl } from '@ssp/shared';
import { useSession } from '../../hooks/useSession';
import { refreshMe, refreshStaff, signOutCitizen, signOutStaff, updateMe } from '../../services/session';
import { refreshUnreadBadge } from '../../services/subscriptions';
import { badgeText } from '../../logic/subscriptions';
import { isLargeText, setLargeText } from '../../services/text-size';
import { TextScale } from '../../components/TextScale';
import { confirm, toastError, toastOk } from '../../services/ui';
import { pressable } from '../../components/pressable';
import './index.css';

const go = (url: string) => () => void Taro.navigateTo({ url });

export default function MinePage() {
  const { me, staff, signedIn } = useSession();
  const [editing, setEditing] = useState(false);
  const [nickname, setNickname] = useState('');
  const [phone, setPhone] = useState('');
  const [saving, setSaving] = useState(false);
  const [unread, setUnread] = useState(0);
  const [largeText, setLargeTextState] = useState(isLargeText());

  useDidShow(() => {
    void refreshMe().catch(() => undefined);
    void refreshStaff().catch(() => undefined);
    void refreshUnreadBadge().then(setUnread);
  });

  const startEdit = () => {
    setNickname(me?.nickname ?? '');
    setPhone('');
    setEditing(true);
  };

  const save = async () => {
    const patch: { nickname?: string; phone?: string } = {};
    if (nickname.trim() && nickname.trim() !== me?.nickname) patch.nickname = nickname.trim();
    if (phone.trim()) {
      if (!PHONE_PATTERN.test(phone.trim())) {
        void Taro.showToast({ title: '手机号格式不正确', icon: 'none' });
        return;
      }
      patch.phone = phone.trim();
    }
    if (!patch.nickname && !patch.phone) {
      setEditing(false);
      return;
    }
    setSaving(true);
    try {
      await updateMe(patch);
      setEditing(false);
      toastOk('已保存');
    } catch (e) {
      toastError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <View className="page mine">
      <TextScale />
      <View className="mine__profile">
        {signedIn && me ? (
          <View className="row">
            <Text className="mine__avatar">{me.nickname.slice(0, 1)}</Text>
            <View className="grow">
              <Text className="mine__name" data-testid="mine-nickname">
                {me.nickname}
              </Text>
              <Text className="mine__sub">{me.phoneMasked ? `手机 ${me.phoneMasked}` : '未绑定手机号（兑换话费需要）'}</Text>
            </View>
            <Text className="mine__edit" {...pressable(startEdit)}>
              编辑
            </Text>
          </View>
        ) : (
          <View className="row" {...pressable(go(pageUrl('login')))}>
            <Text className="mine__avatar">市</Text>
            <View className="grow">
              <Text className="mine__name">点击登录</Text>
              <Text className="mine__sub">登录后可跟踪上报进度、获得积分</Text>
            </View>
          </View>
        )}
        {signedIn && me && (
          <View className="mine__stats" {...pressable(go(pageUrl('points')))}>
            <Text className="mine__points">{me.points}</Text>
            <Text className="mine__sub">积分 · 去兑换 ›</Text>
          </View>
        )}
      </View>

      {editing && (
        <View className="card">
          <View className="field">
            <View className="field__label">昵称</View>
            <Input
              nativeProps={{ 'aria-label': '昵称' }}
              className="field__input"
              maxlength={20}
              value={nickname}
              onInput={(e) => setNickname(e.detail.value)}
            />
          </View>
          <View className="field">
            <View className="field__label">手机号（用于话费兑换，仅工作人员可见）</View>
            <Input
              nativeProps={{ 'aria-label': '手机号' }}
              className="field__input"
              type="number"
              maxlength={11}
              placeholder={me?.phoneMasked ?? '请输入手机号'}
              value={phone}
              onInput={(e) => setPhone(e.detail.value)}
            />
          </View>
          <View className="btn-row mt-m">
            <View className="btn" {...pressable(() => setEditing(false))}>
              取消
            </View>
            <View
              className={`btn btn--primary ${saving ? 'btn--disabled' : ''}`}
              aria-disabled={!!saving}
              {...pressable(() => !saving && void save())}
            >
              保存
            </View>
          </View>
        </View>
      )}

      <View className="card">
        <View className="list-item" {...pressable(go(pageUrl('messages')), 'link')} data-testid="entry-messages">
          <Text className="grow">消息</Text>
          {signedIn && badgeText(unread) && (
            <Text className="badge" data-testid="unread-badge" aria-label={`${unread} 条未读`}>
              {badgeText(unread)}
            </Text>
          )}
          <Text className="list-item__arrow">›</Text>
        </View>
        <View className="list-item" {...pressable(go(pageUrl('myReports')))} data-testid="entry-my-reports">
          <Text className="grow">我的上报</Text>
          <Text className="list-item__arrow">›</Text>
        </View>
        <View className="list-item" {...pressable(go(pageUrl('points')))}>
          <Text className="grow">积分明细</Text>
          <Text className="list-item__arrow">›</Text>
        </View>
        <View className="list-item" {...pressable(go(pageUrl('rewards')))}>
          <Text className="grow">积分兑换</Text>
          <Text className="list-item__arrow">›</Text>
        </View>
        <View className="list-item" {...pressable(go(pageUrl('leaderboard')))}>
          <Text className="grow">积分排行榜</Text>
          <Text className="list-item__arrow">›</Text>
        </View>
        <View className="list-item" {...pressable(go(pageUrl('campaigns')))}>
          <Text className="grow">参与活动</Text>
          <Text className="list-item__arrow">›</Text>
        </View>
        <View className="list-item" {...pressable(go(pageUrl('stats')))}>
          <Text className="grow">数据公开</Text>
          <Text className="list-item__arrow">›</Text>
        </View>
        <View className="list-item">
          <Text className="grow" id="large-text-label">
            大字模式（适老化）
          </Text>
          <Switch
            nativeProps={{ 'aria-label': '大字模式（适老化）' }}
            checked={largeText}
            aria-labelledby="large-text-label"
            data-testid="large-text"
            onChange={(e) => {
              setLargeText(e.detail.value);
              setLargeTextState(e.detail.value);
              // WeChat pages take the new size when shown again.
              if (process.env.TARO_ENV === 'weapp') void Taro.reLaunch({ url: tabUrl('mine') });
            }}
          />
        </View>
      </View>

      <View className="card">
        {staff ? (
          <View>
            <View className="list-item" {...pressable(go(pageUrl('workbench')))} data-testid="entry-workbench">
              <View className="grow">
                <Text>工作台</Text>
                <Text className="muted small block">
                  {staff.displayName} · {STAFF_ROLE_NAMES_ZH[staff.role]}
                </Text>
              </View>
              <Text className="list-item__arrow">›</Text>
            </View>
            <View
              className="list-item"
              {...pressable(async () => {
                if (await confirm('退出工作账号', '确定退出工作人员账号吗？')) await signOutStaff();
              })}
            >
              <Text className="grow muted">退出工作账号</Text>
            </View>
          </View>
        ) : (
          <View className="list-item" {...pressable(go(pageUrl('staffLogin')))} data-testid="entry-staff-login">
            <Text className="grow">工作人员登录</Text>
            <Text className="list-item__arrow">›</Text>
          </View>
        )}
      </View>

      {signedIn && (
        <View
          className="btn btn--block"
          {...pressable(async () => {
            if (await confirm('退出登录', '退出后草稿仍保留在本机，确定退出吗？')) await signOutCitizen();
          })}
        >
          退出登录
        </View>
      )}
    </View>
  );
}

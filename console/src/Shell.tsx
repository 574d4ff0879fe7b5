import { Avatar, Button, Layout, Menu, Space, Typography } from 'antd';
import {
  AreaChartOutlined,
  AuditOutlined,
  ClusterOutlined,
  CheckSquareOutlined,
  GiftOutlined,
  SendOutlined,
  ShoppingOutlined,
  NotificationOutlined,
  HomeOutlined,
  LogoutOutlined,
  DollarOutlined,
  ScheduleOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { STAFF_ROLE_NAMES_ZH } from '@ssp/shared';
import { screensFor, type ScreenKey } from './access';
import { signOut, type Session } from './session';

const ICONS: Record<ScreenKey, React.ReactNode> = {
  home: <HomeOutlined />,
  desk: <AuditOutlined />,
  tasks: <ScheduleOutlined />,
  verify: <CheckSquareOutlined />,
  campaigns: <NotificationOutlined />,
  stats: <AreaChartOutlined />,
  staff: <TeamOutlined />,
  rewards: <ShoppingOutlined />,
  claims: <GiftOutlined />,
  points: <DollarOutlined />,
  forwarding: <SendOutlined />,
  cityData: <ClusterOutlined />,
};

/** The frame of every screen: the menu of what the role may do, the signed-in account, sign out. */
export function Shell({ session }: { session: Session }) {
  const navigate = useNavigate();
  const location = useLocation();
  const screens = screensFor(session.staff.role);
  const selected = screens.find((s) => s.path !== '/' && location.pathname.startsWith(s.path))?.key ?? 'home';

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={208} theme="dark" data-testid="side-menu">
        <div style={{ color: '#fff', fontSize: 18, fontWeight: 600, padding: '18px 20px' }}>随手拍 · 数字城管</div>
        <Menu
          theme="dark"
          mode="inline"
          selectedKeys={[selected]}
          items={screens.map((s) => ({ key: s.key, icon: ICONS[s.key], label: s.title, onClick: () => navigate(s.path) }))}
        />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', padding: '0 24px', display: 'flex', justifyContent: 'flex-end', alignItems: 'center' }}>
          <Space size="middle">
            <Avatar icon={<UserOutlined />} />
            <Typography.Text data-testid="staff-name">{session.staff.displayName}</Typography.Text>
            <Typography.Text type="secondary" data-testid="staff-role">
              {STAFF_ROLE_NAMES_ZH[session.staff.role]}
            </Typography.Text>
            <Button
              icon={<LogoutOutlined />}
              data-testid="sign-out"
              onClick={() => {
                void signOut().then(() => navigate('/login'));
              }}
            >
              退出登录
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

import { Card, Col, Row, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { STAFF_ROLE_NAMES_ZH } from '@ssp/shared';
import { screensFor } from '../access';
import type { Session } from '../session';

const BLURB: Record<string, string> = {
  desk: '按状态查看案件队列（超期优先），筛选、搜索、立案、派遣、审批缓办。',
  tasks: '本部门待签收和处置中的案件，处置时限倒计时，上传处置后照片反馈处理结果。',
  verify: '处置部门已反馈的案件，现场核查后结案或返工。',
  campaigns: '策划和发布随手拍参与活动：正文、封面、积分倍数、活动类别和区域，预览小程序效果，查看成效。',
  stats: '结案率、按期处置率、返工率等指标与趋势，部门综合评价排名，导出 Excel，打印月报。',
  staff: '新建和管理工作人员账号、角色和所属部门，停用账号或重设密码。',
  rewards: '积分可兑换的奖励：新建、修改积分、库存和兑换时间。',
  forwarding: '转办到上级平台的投递情况，重投失败或被拒收的转办。',
  claims: '市民兑换的奖励：标记已发放或发放失败（退回积分），导出清单。',
};

export function HomePage({ session }: { session: Session }) {
  const navigate = useNavigate();
  const screens = screensFor(session.staff.role).filter((s) => s.key !== 'home');
  return (
    <div>
      <Typography.Title level={3}>您好，{session.staff.displayName}</Typography.Title>
      <Typography.Paragraph type="secondary">
        当前角色：{STAFF_ROLE_NAMES_ZH[session.staff.role]}。左侧菜单只列出您的角色可以办理的工作。
      </Typography.Paragraph>
      {screens.length === 0 && <Typography.Paragraph>您的角色在工作台中暂无可办理的事项，相关功能将陆续上线。</Typography.Paragraph>}
      <Row gutter={16}>
        {screens.map((s) => (
          <Col span={8} key={s.key}>
            <Card hoverable title={s.title} onClick={() => navigate(s.path)}>
              {BLURB[s.key]}
            </Card>
          </Col>
        ))}
      </Row>
    </div>
  );
}

import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Image,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Tag,
  TreeSelect,
  Typography,
  Upload,
} from 'antd';
import { ArrowLeftOutlined, PictureOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { useNavigate, useParams } from 'react-router-dom';
import {
  CAMPAIGN_STATUS_NAMES_ZH,
  CAMPAIGN_SUMMARY_MAX,
  CAMPAIGN_TITLE_MAX,
  PHOTO_UPLOAD_FIELD,
  createCampaignSchema,
  updateCampaignSchema,
  type AdminCampaign,
  type CityAnswer,
  type GridBoundaries,
  type PublicCampaign,
} from '@ssp/shared';
import { mayCall } from '../access';
import { coveredGrids, toggleGrid } from '../area-targets';
import { useCatalogue } from '../catalogue';
import { AreaPickerMap } from '../components/AreaPickerMap';
import { CampaignResultsPanel } from '../components/CampaignResultsPanel';
import { CoverCrop } from '../components/CoverCrop';
import { RichText } from '../components/RichText';
import { apiProblems, clearErrors, schemaProblems, showFieldErrors } from '../forms';
import { api, errorText, getSession, mediaUrl } from '../session';
import { CAMPAIGN_STATUS_COLORS } from './CampaignsPage';

interface Values {
  title: string;
  body: string;
  summary: string;
  window: [Dayjs, Dayjs] | null;
  multiplier: number;
  participationGoal: number | null;
  targetCategoryIds: string[];
  targetAreaIds: string[];
}
const FIELDS = [
  'title',
  'summary',
  'body',
  'coverPhotoId',
  'window',
  'startAt',
  'endAt',
  'multiplier',
  'participationGoal',
  'targetCategoryIds',
  'targetAreaIds',
];

/** The campaign editor: text, rich-text body, cropped cover, window, multiplier, targets; preview as citizens see it; publish; results. */
export function CampaignEditor() {
  const { id = 'new' } = useParams();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const catalogue = useCatalogue();
  const [form] = Form.useForm<Values>();
  const [campaign, setCampaign] = useState<AdminCampaign | null>(null);
  const [cover, setCover] = useState<{ id: string; thumbUrl: string } | null>(null);
  const [cropping, setCropping] = useState<File | null>(null);
  const [preview, setPreview] = useState<PublicCampaign | null>(null);
  const [city, setCity] = useState<CityAnswer | null>(null);
  const [boundaries, setBoundaries] = useState<GridBoundaries | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fill = (c: AdminCampaign) => {
    setCampaign(c);
    setCover(c.coverPhotoId && c.cover ? { id: c.coverPhotoId, thumbUrl: c.cover.thumbUrl } : null);
    form.setFieldsValue({
      title: c.title,
      summary: c.summary,
      body: c.body,
      window: [dayjs(c.startAt), dayjs(c.endAt)],
      multiplier: c.multiplier,
      participationGoal: c.participationGoal,
      targetCategoryIds: c.targetCategoryIds,
      targetAreaIds: c.targetAreaIds,
    });
  };

  useEffect(() => {
    if (id === 'new') {
      form.setFieldsValue({
        multiplier: 2,
        targetCategoryIds: [],
        targetAreaIds: [],
        participationGoal: null,
        window: [dayjs().startOf('hour'), dayjs().startOf('hour').add(14, 'day')],
      });
      return;
    }
    api
      .call('getCampaignAdmin', { params: { id } })
      .then(fill)
      .catch((e: unknown) => setError(errorText(e)));
    // fill is stable in effect (state setters and the form).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, form]);

  // The map of target grids: the deployment's tiles and the grids' boundaries, once.
  useEffect(() => {
    api
      .call('getCity')
      .then(setCity)
      .catch(() => undefined);
    const role = getSession()?.staff.role;
    if (role && mayCall(role, 'getGridBoundaries'))
      api
        .call('getGridBoundaries')
        .then(setBoundaries)
        .catch(() => undefined);
  }, []);

  const targetAreaIds = Form.useWatch('targetAreaIds', form) as string[] | undefined;
  const chosenGrids = useMemo(() => (catalogue ? coveredGrids(targetAreaIds ?? [], catalogue.areas) : new Set<string>()), [catalogue, targetAreaIds]);
  const toggleTargetGrid = (gridId: string) => {
    if (!catalogue) return;
    form.setFieldValue('targetAreaIds', toggleGrid(form.getFieldValue('targetAreaIds') ?? [], gridId, catalogue.areas));
    clearErrors(form, { targetAreaIds: true });
  };

  const areaTree = useMemo(
    () =>
      catalogue?.areas.districts.map((d) => ({
        value: d.id,
        title: d.name,
        children: d.streets.map((s) => ({ value: s.id, title: s.name, children: s.grids.map((g) => ({ value: g.id, title: g.name })) })),
      })) ?? [],
    [catalogue],
  );

  const uploadCover = async (blob: Blob) => {
    setCropping(null);
    const data = new FormData();
    data.append(PHOTO_UPLOAD_FIELD, blob, 'cover.jpg');
    try {
      const { photos } = await api.call('uploadPhotos', { body: data });
      setCover({ id: photos[0]!.id, thumbUrl: photos[0]!.thumbUrl });
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const save = async (): Promise<AdminCampaign | null> => {
    const v = form.getFieldsValue();
    const fields = {
      title: v.title ?? '',
      summary: v.summary ?? '',
      body: v.body ?? '',
      coverPhotoId: cover?.id ?? null,
      startAt: v.window?.[0]?.format() ?? '',
      endAt: v.window?.[1]?.format() ?? '',
      multiplier: v.multiplier,
      participationGoal: v.participationGoal ?? null,
      targetCategoryIds: v.targetCategoryIds ?? [],
      targetAreaIds: v.targetAreaIds ?? [],
    };
    const parsed = campaign ? updateCampaignSchema.safeParse({ version: campaign.version, ...fields }) : createCampaignSchema.safeParse(fields);
    const mapWindow = (p: { field: string; message: string }) => (p.field === 'startAt' || p.field === 'endAt' ? { ...p, field: 'window' } : p);
    if (!parsed.success) {
      showFieldErrors(form, schemaProblems(parsed.error).map(mapWindow), FIELDS);
      return null;
    }
    setBusy(true);
    try {
      const saved = campaign
        ? await api.call('updateCampaign', { params: { id: campaign.id }, body: { version: campaign.version, ...fields } })
        : await api.call('createCampaign', { body: fields });
      showFieldErrors(form, [], FIELDS);
      fill(saved);
      void message.success('已保存');
      if (!campaign) navigate(`/campaigns/${saved.id}`, { replace: true });
      return saved;
    } catch (e) {
      if (!showFieldErrors(form, apiProblems(e).map(mapWindow), FIELDS)) setError(errorText(e));
      return null;
    } finally {
      setBusy(false);
    }
  };

  const showPreview = async () => {
    const saved = await save();
    if (saved) setPreview(await api.call('previewCampaign', { params: { id: saved.id } }));
  };

  const publish = async () => {
    const saved = await save();
    if (!saved) return;
    try {
      fill(await api.call('publishCampaign', { params: { id: saved.id }, body: { version: saved.version } }));
      void message.success('活动已发布');
    } catch (e) {
      setError(errorText(e));
    }
  };

  return (
    <Card>
      <Space style={{ marginBottom: 12 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate('/campaigns')}>
          返回列表
        </Button>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {campaign ? `编辑活动：${campaign.title}` : '新建活动'}
        </Typography.Title>
        {campaign && (
          <Tag color={CAMPAIGN_STATUS_COLORS[campaign.status]} data-testid="campaign-status">
            {CAMPAIGN_STATUS_NAMES_ZH[campaign.status]}
          </Tag>
        )}
      </Space>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} closable onClose={() => setError(null)} />}
      <Row gutter={24}>
        <Col span={15}>
          <Form
            form={form}
            layout="vertical"
            // A field's problem goes as soon as it is edited.
            onValuesChange={(changed: object) => clearErrors(form, changed)}
          >
            <Form.Item name="title" label="标题" required>
              <Input maxLength={CAMPAIGN_TITLE_MAX} showCount data-testid="campaign-title" />
            </Form.Item>
            <Form.Item name="summary" label="摘要">
              <Input.TextArea rows={2} maxLength={CAMPAIGN_SUMMARY_MAX} showCount data-testid="campaign-summary" />
            </Form.Item>
            <Form.Item name="body" label="正文">
              <RichText />
            </Form.Item>
            <Form.Item label="封面（16:9）">
              <Space align="start">
                {cover && (
                  <Image src={mediaUrl(cover.thumbUrl)} width={192} height={108} style={{ objectFit: 'cover' }} data-testid="campaign-cover" />
                )}
                <Upload
                  accept="image/jpeg,image/png,image/webp"
                  showUploadList={false}
                  beforeUpload={(file) => {
                    setCropping(file);
                    return false;
                  }}
                >
                  <Button icon={<PictureOutlined />} data-testid="campaign-cover-pick">
                    {cover ? '更换封面' : '上传封面'}
                  </Button>
                </Upload>
                {cover && <Button onClick={() => setCover(null)}>移除</Button>}
              </Space>
            </Form.Item>
            <Row gutter={16}>
              <Col span={12}>
                <Form.Item name="window" label="活动时间" required>
                  <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="multiplier" label="积分倍数" required>
                  <InputNumber min={1} max={10} step={0.5} style={{ width: '100%' }} data-testid="campaign-multiplier" />
                </Form.Item>
              </Col>
              <Col span={6}>
                <Form.Item name="participationGoal" label="参与目标（人）">
                  <InputNumber min={1} style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="targetCategoryIds" label="活动类别（不选为全部类别）">
              <Select
                mode="multiple"
                allowClear
                optionFilterProp="label"
                options={(catalogue?.categories ?? []).map((c) => ({ value: c.id, label: c.name }))}
                data-testid="campaign-categories"
              />
            </Form.Item>
            <Form.Item name="targetAreaIds" label="活动区域（不选为全城）">
              <TreeSelect
                treeData={areaTree}
                multiple
                treeCheckable
                showCheckedStrategy={TreeSelect.SHOW_PARENT}
                allowClear
                treeNodeFilterProp="title"
                data-testid="campaign-areas"
              />
            </Form.Item>
            {city && (
              <Form.Item label="在地图上选择" extra={`点击网格选择或取消；已选 ${chosenGrids.size} 个网格（橙色），与上方区域树同步。`}>
                <AreaPickerMap city={city} boundaries={boundaries} selected={chosenGrids} onToggle={toggleTargetGrid} />
              </Form.Item>
            )}
            <Space>
              <Button onClick={() => void save()} loading={busy} data-testid="campaign-save">
                保存草稿
              </Button>
              <Button onClick={() => void showPreview()} data-testid="campaign-preview">
                预览
              </Button>
              {(!campaign || !campaign.published) && (
                <Button type="primary" onClick={() => void publish()} data-testid="campaign-publish">
                  发布
                </Button>
              )}
            </Space>
          </Form>
        </Col>
        <Col span={9}>
          <Typography.Text strong>小程序中的样子</Typography.Text>
          <div
            data-testid="campaign-phone"
            style={{
              width: 360,
              minHeight: 560,
              marginTop: 8,
              border: '10px solid #222',
              borderRadius: 28,
              overflow: 'hidden',
              background: '#f5f5f5',
            }}
          >
            {preview ? (
              <div>
                {preview.cover && (
                  <img
                    src={mediaUrl(preview.cover.url)}
                    alt=""
                    style={{ width: '100%', aspectRatio: '16 / 9', objectFit: 'cover', display: 'block' }}
                  />
                )}
                <div style={{ padding: 12, background: '#fff' }}>
                  <div style={{ fontSize: 18, fontWeight: 600 }}>{preview.title}</div>
                  <Space size={4} style={{ margin: '6px 0' }}>
                    <Tag color="orange">积分 ×{preview.multiplier}</Tag>
                    <Tag>{preview.statusName}</Tag>
                  </Space>
                  <div style={{ color: '#8c8c8c', fontSize: 12 }}>
                    {dayjs(preview.startAt).format('M月D日 HH:mm')} — {dayjs(preview.endAt).format('M月D日 HH:mm')}
                  </div>
                  {preview.summary && <p style={{ marginTop: 8 }}>{preview.summary}</p>}
                </div>
                {/* The API's sanitised HTML (p, strong, lists, links, our images), as the mini-program renders it. */}
                <div style={{ padding: 12, background: '#fff', marginTop: 8 }} dangerouslySetInnerHTML={{ __html: preview.body }} />
                <div style={{ padding: 12, fontSize: 12, color: '#8c8c8c' }}>
                  活动类别：{preview.targetCategories.map((c) => c.name).join('、') || '全部类别'}；活动区域：
                  {preview.targetAreas.map((a) => a.name).join('、') || '全城'}
                </div>
              </div>
            ) : (
              <div style={{ padding: 24, color: '#8c8c8c' }}>点击“预览”查看市民在小程序中看到的活动页</div>
            )}
          </div>
        </Col>
      </Row>
      {campaign && (campaign.published || campaign.status === 'ended') && <CampaignResultsPanel campaign={campaign} onChanged={fill} />}
      {cropping && <CoverCrop file={cropping} onCancel={() => setCropping(null)} onDone={(b) => void uploadCover(b)} />}
    </Card>
  );
}

import { z } from 'zod';
import {
  inboxPageSchema,
  inboxQuerySchema,
  markReadSchema,
  subscriptionResultsSchema,
  subscriptionStatusSchema,
  unreadCountSchema,
} from './notifications';
import {
  createStaffSchema,
  devLoginSchema,
  loginOptionsSchema,
  webAuthorizeQuerySchema,
  webAuthorizeUrlSchema,
  webLoginResultSchema,
  webLoginSchema,
  smsCodeRequestSchema,
  smsCodeSentSchema,
  smsLoginSchema,
  loginResultSchema,
  meSchema,
  refreshSchema,
  STAFF_ROLES,
  staffAccountSchema,
  staffListSchema,
  staffLoginResultSchema,
  staffLoginSchema,
  staffWeChatLinkSchema,
  staffProfileSchema,
  tokenPairSchema,
  updateMeSchema,
  updateStaffSchema,
  wechatLoginSchema,
  type StaffRole,
} from './auth';
import {
  adminCampaignListSchema,
  adminCampaignSchema,
  campaignListSchema,
  campaignResultsSchema,
  campaignSubscriptionSchema,
  campaignSubscriptionsSchema,
  createCampaignSchema,
  endCampaignSchema,
  publicCampaignSchema,
  publishCampaignSchema,
  unpublishCampaignSchema,
  updateCampaignSchema,
} from './campaigns';
import {
  areasDataSchema,
  areasFileSchema,
  areaTreeSchema,
  calendarDataSchema,
  calendarSchema,
  categoriesFileSchema,
  categoryListSchema,
  categoryQuerySchema,
  cityAnswerSchema,
  cityDataReplaceQuerySchema,
  cityDataReplaceResultSchema,
  cityDataVersionSchema,
  departmentListSchema,
  departmentsFileSchema,
  gridBoundariesSchema,
  locateQuerySchema,
  reverseGeocodeSchema,
  locateResultSchema,
} from './catalogue';
import {
  FORWARD_HEADERS,
  forwardingAdminViewSchema,
  forwardingCallbackResultSchema,
  forwardingCallbackSchema,
  forwardingTargetListSchema,
} from './forwarding';
import { healthSchema, readinessSchema } from './health';
import { uploadResultSchema } from './media';
import {
  open311CreatedSchema,
  open311CreateSchema,
  open311QuerySchema,
  open311RequestSchema,
  open311ServiceDefinitionSchema,
  open311ServiceSchema,
} from './open311';
import {
  citizenPointsSchema,
  citizenSearchQuerySchema,
  citizenSearchResultSchema,
  claimExportQuerySchema,
  claimListQuerySchema,
  claimSchema,
  createClaimSchema,
  failClaimSchema,
  fulfilClaimSchema,
  leaderboardQuerySchema,
  leaderboardSchema,
  myPointsSchema,
  pointsAdjustmentSchema,
  pointsHistoryQuerySchema,
  pointsHistorySchema,
  pointsPreferencesSchema,
  rewardIdSchema,
  rewardInputSchema,
  rewardSchema,
  staffClaimSchema,
  staffPointsHistorySchema,
  staffPointsLineSchema,
} from './points';
import {
  createReportSchema,
  myReportsQuerySchema,
  nearbyCaseSchema,
  nearbyQuerySchema,
  notFixedSchema,
  rateReportSchema,
  reportDetailSchema,
  reportPageSchema,
  supportResultSchema,
  updateReportSchema,
  sharedCaseSchema,
} from './reports';
import { caseQueueQuerySchema, staffActionSchema, staffCaseDetailSchema, staffCaseSummarySchema } from './staff-cases';
import {
  statsCasesPageSchema,
  statsCasesQuerySchema,
  statsDepartmentsSchema,
  statsExportSchema,
  statsMapSchema,
  statsQuerySchema,
  statsSummarySchema,
  statsTimeseriesSchema,
  statsTreeSchema,
} from './stats';

/*
 * The HTTP API's contract: every route, who may call it, what it takes and what it
 * answers. The OpenAPI document (./openapi.ts) is generated from this table, the API
 * checks its routes against it at test time, and fuzzers read the document.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who calls: a signed-in citizen or staff with a role. */
export type Caller = 'citizen' | StaffRole;

/**
 * public: anyone (a bearer token is optional but must be valid when sent);
 * signed: an HMAC-signed server-to-server call; otherwise the callers allowed.
 */
export type Access = 'public' | 'signed' | readonly Caller[];

/** A response body: a JSON schema, or another media type described in words. */
export type ResponseBody =
  z.ZodType | { mediaType: 'text/csv' | 'image/jpeg' | 'image/png' | 'text/html' | 'text/plain'; description: string } | null;

export interface ContractOperation {
  method: HttpMethod;
  /** Koa-router syntax: `/me/reports/:id`, `/open311/v2/requests.:format`. */
  path: string;
  tag: string;
  summary: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodType;
  headers?: z.ZodObject;
  body?: z.ZodType;
  /** How the body travels; JSON unless said. */
  bodyMediaType?: 'application/json' | 'multipart/form-data' | 'open311-form';
  /** Success statuses and their bodies (null: no body). */
  responses: Record<number, ResponseBody>;
  /** Answers 304 to a matching If-None-Match. */
  conditional?: boolean;
  /**
   * The handler checks the body with its domain's own validator: city data files, which
   * the same checks load at start-up and answer with CITY_DATA_INVALID and file paths.
   */
  bodyCheckedByDomain?: true;
  /** Open311 routes answer JSON or XML by the `format` path parameter and use Open311's error list. */
  open311?: boolean;
}

export const objectIdSchema = z.string().regex(/^[a-f0-9]{24}$/, 'must be an id');
const photoIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);
/**
 * Ids the API issues (cases, claims, accounts, photos): a path with a malformed one names
 * nothing, so it is a 404 like an unknown id. Other path parameters (a reward id an admin
 * chooses) are input, and a malformed one is a 400.
 */
export const ISSUED_ID_SCHEMAS: ReadonlySet<z.ZodType> = new Set([objectIdSchema, photoIdSchema]);
const idParams = z.object({ id: objectIdSchema });
const photoIdParams = z.object({ id: photoIdSchema });
const formatParam = { format: z.enum(['json', 'xml']) };
/** A staff reviewer's capability for a photo hidden by content security. */
const photoReviewQuery = z.object({ review: z.string().max(64).optional() });
const wechatPushQuery = z.object({ signature: z.string().max(64), timestamp: z.string().max(20), nonce: z.string().max(64) });

const CITIZEN = ['citizen'] as const;
const EVERY_STAFF = STAFF_ROLES;
const CASE_STAFF = ['operator', 'dispatcher', 'department', 'supervisor'] as const;
const CAMPAIGN_STAFF = ['publicity', 'admin'] as const;
const CLAIM_STAFF = ['admin', 'publicity'] as const;
const ADMIN = ['admin'] as const;
const STATS_STAFF = ['operator', 'dispatcher', 'supervisor', 'admin', 'publicity', 'department'] as const;

const items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
/** Actions that take no input: an empty body or `{}`, nothing else. */
export const emptyBodySchema = z.strictObject({}).optional();
const noBody = emptyBodySchema;

const open311DiscoverySchema = z.object({
  changeset: z.string(),
  contact: z.string(),
  key_service: z.string(),
  endpoints: z.array(z.object({ specification: z.string(), url: z.string(), changeset: z.string(), type: z.string(), formats: z.array(z.string()) })),
});

/** One statistics cut, published (anonymised, cached) and for staff (unsuppressed). */
function statsCut<S extends z.ZodType>(cut: string, title: string, schema: S) {
  return {
    published: {
      method: 'get',
      path: `/stats/public/${cut}`,
      tag: 'stats',
      summary: `公开统计：${title}（匿名化）`,
      access: 'public',
      query: statsQuerySchema,
      responses: { 200: schema },
      conditional: true,
    },
    staff: {
      method: 'get',
      path: `/stats/staff/${cut}`,
      tag: 'stats',
      summary: `内部统计：${title}`,
      access: STATS_STAFF,
      query: statsQuerySchema,
      responses: { 200: schema },
    },
  } as const satisfies Record<string, ContractOperation>;
}
const summaryCut = statsCut('summary', '总体指标', statsSummarySchema);
const timeseriesCut = statsCut('timeseries', '按期趋势', statsTimeseriesSchema);
const categoriesCut = statsCut('categories', '按类别', statsTreeSchema);
const areasCut = statsCut('areas', '按区域', statsTreeSchema);
const departmentsCut = statsCut('departments', '按部门（含综合评分）', statsDepartmentsSchema);
const mapCut = statsCut('map', '网格地图', statsMapSchema);

export const contract = {
  // ---- health
  health: { method: 'get', path: '/healthz', tag: 'health', summary: '存活检查', access: 'public', responses: { 200: healthSchema } },
  readiness: {
    method: 'get',
    path: '/readyz',
    tag: 'health',
    summary: '就绪检查（数据库可用）',
    access: 'public',
    responses: { 200: readinessSchema },
  },

  // ---- this document
  openApiDocument: {
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    summary: '本接口文档（OpenAPI 3.1）',
    access: 'public',
    responses: { 200: z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }) },
  },
  docsPage: {
    method: 'get',
    path: '/docs',
    tag: 'meta',
    summary: '接口文档（网页）',
    access: 'public',
    responses: { 200: { mediaType: 'text/html', description: '文档网页' } },
  },

  // ---- auth
  wechatLogin: {
    method: 'post',
    path: '/auth/wechat',
    tag: 'auth',
    summary: '微信登录（wx.login 的 code）',
    access: 'public',
    body: wechatLoginSchema,
    responses: { 200: loginResultSchema },
  },
  loginOptions: {
    method: 'get',
    path: '/auth/options',
    tag: 'auth',
    summary: '浏览器可用的登录方式',
    access: 'public',
    responses: { 200: loginOptionsSchema },
  },
  webAuthorizeUrl: {
    method: 'get',
    path: '/auth/wechat-web/authorize-url',
    tag: 'auth',
    summary: '微信网页授权地址（在微信中打开网页版时）',
    access: 'public',
    query: webAuthorizeQuerySchema,
    responses: { 200: webAuthorizeUrlSchema },
  },
  webLogin: {
    method: 'post',
    path: '/auth/wechat-web/login',
    tag: 'auth',
    summary: '微信网页授权登录（code + state）',
    access: 'public',
    body: webLoginSchema,
    responses: { 200: webLoginResultSchema },
  },
  sendSmsCode: {
    method: 'post',
    path: '/auth/sms/code',
    tag: 'auth',
    summary: '发送短信验证码（浏览器登录）',
    access: 'public',
    body: smsCodeRequestSchema,
    responses: { 200: smsCodeSentSchema },
  },
  smsLogin: {
    method: 'post',
    path: '/auth/sms/login',
    tag: 'auth',
    summary: '手机号 + 短信验证码登录',
    access: 'public',
    body: smsLoginSchema,
    responses: { 200: loginResultSchema },
  },
  devLogin: {
    method: 'post',
    path: '/auth/dev-login',
    tag: 'auth',
    summary: 'H5 开发登录（仅在配置开启时可用）',
    access: 'public',
    body: devLoginSchema,
    responses: { 200: loginResultSchema },
  },
  refreshTokens: {
    method: 'post',
    path: '/auth/refresh',
    tag: 'auth',
    summary: '刷新令牌（轮换）',
    access: 'public',
    body: refreshSchema,
    responses: { 200: tokenPairSchema },
  },
  logout: { method: 'post', path: '/auth/logout', tag: 'auth', summary: '退出登录', access: 'public', body: refreshSchema, responses: { 204: null } },
  getMe: { method: 'get', path: '/me', tag: 'auth', summary: '我的资料', access: CITIZEN, responses: { 200: meSchema } },
  updateMe: {
    method: 'patch',
    path: '/me',
    tag: 'auth',
    summary: '修改昵称、手机号',
    access: CITIZEN,
    body: updateMeSchema,
    responses: { 200: meSchema },
  },
  staffLogin: {
    method: 'post',
    path: '/auth/staff/login',
    tag: 'auth',
    summary: '工作人员登录',
    access: 'public',
    body: staffLoginSchema,
    responses: { 200: staffLoginResultSchema },
  },
  linkStaffWeChat: {
    method: 'post',
    path: '/staff/me/wechat',
    tag: 'auth',
    summary: '关联工作人员的小程序身份（发布内容前的微信内容安全检查需要）',
    access: EVERY_STAFF,
    body: wechatLoginSchema,
    responses: { 200: staffWeChatLinkSchema },
  },
  getStaffMe: { method: 'get', path: '/staff/me', tag: 'auth', summary: '当前工作人员', access: EVERY_STAFF, responses: { 200: staffProfileSchema } },
  listStaff: { method: 'get', path: '/admin/staff', tag: 'auth', summary: '工作人员列表', access: ADMIN, responses: { 200: staffListSchema } },
  createStaff: {
    method: 'post',
    path: '/admin/staff',
    tag: 'auth',
    summary: '新建工作人员账号',
    access: ADMIN,
    body: createStaffSchema,
    responses: { 201: staffAccountSchema },
  },
  updateStaff: {
    method: 'patch',
    path: '/admin/staff/:id',
    tag: 'auth',
    summary: '修改工作人员账号',
    access: ADMIN,
    params: idParams,
    body: updateStaffSchema,
    responses: { 200: staffAccountSchema },
  },

  // ---- media
  uploadPhotos: {
    method: 'post',
    path: '/media',
    tag: 'media',
    summary: '上传照片（去除元数据、生成缩略图）',
    access: ['citizen', ...EVERY_STAFF],
    bodyMediaType: 'multipart/form-data',
    body: z.object({ photos: z.array(z.string().meta({ format: 'binary' })).min(1) }),
    responses: { 201: uploadResultSchema },
  },
  getPhoto: {
    method: 'get',
    path: '/media/:id',
    tag: 'media',
    summary: '照片（能力链接，无需登录）',
    access: 'public',
    params: photoIdParams,
    query: photoReviewQuery,
    responses: { 200: { mediaType: 'image/jpeg', description: '照片' } },
    conditional: true,
  },
  getPhotoThumb: {
    method: 'get',
    path: '/media/:id/thumb',
    tag: 'media',
    summary: '缩略图',
    access: 'public',
    params: photoIdParams,
    query: photoReviewQuery,
    responses: { 200: { mediaType: 'image/jpeg', description: '缩略图' } },
    conditional: true,
  },
  wechatPushVerify: {
    method: 'get',
    path: '/wechat/push',
    tag: 'media',
    summary: '微信消息推送：服务器地址验证（签名）',
    access: 'public',
    query: wechatPushQuery.extend({ echostr: z.string().max(256) }),
    responses: { 200: { mediaType: 'text/plain', description: 'echostr' } },
  },
  wechatPush: {
    method: 'post',
    path: '/wechat/push',
    tag: 'media',
    summary: '微信消息推送（图片内容安全检查结果，签名）',
    access: 'signed',
    query: wechatPushQuery,
    body: z.object({ Event: z.string().optional(), trace_id: z.string().optional() }).passthrough(),
    responses: { 200: { mediaType: 'text/plain', description: 'success' } },
  },

  // ---- catalogue
  listCategories: {
    method: 'get',
    path: '/categories',
    tag: 'catalogue',
    summary: '问题类别',
    access: 'public',
    query: categoryQuerySchema,
    responses: { 200: categoryListSchema },
  },
  listDepartments: {
    method: 'get',
    path: '/departments',
    tag: 'catalogue',
    summary: '处置部门',
    access: 'public',
    responses: { 200: departmentListSchema },
  },
  getCity: { method: 'get', path: '/city', tag: 'catalogue', summary: '城市信息', access: 'public', responses: { 200: cityAnswerSchema } },
  getAreaTree: {
    method: 'get',
    path: '/areas',
    tag: 'catalogue',
    summary: '区县、街道、网格树',
    access: 'public',
    responses: { 200: areaTreeSchema },
  },
  locateArea: {
    method: 'get',
    path: '/areas/locate',
    tag: 'catalogue',
    summary: '坐标所在网格',
    access: 'public',
    query: locateQuerySchema,
    responses: { 200: locateResultSchema },
  },
  reverseGeocode: {
    method: 'get',
    path: '/geo/reverse',
    tag: 'catalogue',
    summary: '坐标处的街道地址（逆地理编码，GCJ-02）',
    access: CITIZEN,
    query: locateQuerySchema,
    responses: { 200: reverseGeocodeSchema },
  },
  getCatalogueData: {
    method: 'get',
    path: '/admin/catalogue',
    tag: 'catalogue',
    summary: '类别数据（含时限）及其版本',
    access: ADMIN,
    responses: { 200: z.object({ categories: categoriesFileSchema, version: cityDataVersionSchema }) },
  },
  replaceCatalogueData: {
    method: 'put',
    path: '/admin/catalogue',
    tag: 'catalogue',
    summary: '替换类别数据（baseVersion：读取时的版本，已被他人替换则 409）',
    access: ADMIN,
    query: cityDataReplaceQuerySchema,
    body: categoriesFileSchema,
    bodyCheckedByDomain: true,
    responses: { 200: cityDataReplaceResultSchema },
  },
  getDepartmentsData: {
    method: 'get',
    path: '/admin/departments',
    tag: 'catalogue',
    summary: '部门数据及其版本',
    access: ADMIN,
    responses: { 200: z.object({ departments: departmentsFileSchema, version: cityDataVersionSchema }) },
  },
  replaceDepartmentsData: {
    method: 'put',
    path: '/admin/departments',
    tag: 'catalogue',
    summary: '替换部门数据（baseVersion：读取时的版本，已被他人替换则 409）',
    access: ADMIN,
    query: cityDataReplaceQuerySchema,
    body: departmentsFileSchema,
    bodyCheckedByDomain: true,
    responses: { 200: cityDataReplaceResultSchema },
  },
  getGridBoundaries: {
    method: 'get',
    path: '/staff/areas',
    tag: 'catalogue',
    summary: '网格边界（GeoJSON，GCJ-02，工作台地图用）',
    access: EVERY_STAFF,
    responses: { 200: gridBoundariesSchema },
  },
  getAreasData: {
    method: 'get',
    path: '/admin/areas',
    tag: 'catalogue',
    summary: '网格数据（GeoJSON）及其版本',
    access: ADMIN,
    responses: { 200: areasDataSchema },
  },
  replaceAreasData: {
    method: 'put',
    path: '/admin/areas',
    tag: 'catalogue',
    summary: '替换网格数据（baseVersion：读取时的版本，已被他人替换则 409）',
    access: ADMIN,
    query: cityDataReplaceQuerySchema,
    body: areasFileSchema,
    bodyCheckedByDomain: true,
    responses: { 200: cityDataReplaceResultSchema },
  },
  getWorkCalendar: {
    method: 'get',
    path: '/staff/calendar',
    tag: 'catalogue',
    summary: '工作日历（工作台按工作时间倒计时）',
    access: EVERY_STAFF,
    responses: { 200: z.object({ calendar: calendarSchema }) },
  },
  getCalendar: {
    method: 'get',
    path: '/admin/calendar',
    tag: 'catalogue',
    summary: '工作日历及其版本',
    access: ADMIN,
    responses: { 200: calendarDataSchema },
  },
  replaceCalendar: {
    method: 'put',
    path: '/admin/calendar',
    tag: 'catalogue',
    summary: '替换工作日历（baseVersion：读取时的版本，已被他人替换则 409）',
    access: ADMIN,
    query: cityDataReplaceQuerySchema,
    body: calendarSchema,
    bodyCheckedByDomain: true,
    responses: { 200: calendarDataSchema },
  },

  // ---- reports (citizens)
  createReport: {
    method: 'post',
    path: '/reports',
    tag: 'reports',
    summary: '上报问题（按 clientRequestId 幂等）',
    access: CITIZEN,
    body: createReportSchema,
    responses: { 201: reportDetailSchema, 200: reportDetailSchema },
  },
  nearbyReports: {
    method: 'get',
    path: '/reports/nearby',
    tag: 'reports',
    summary: '附近的同类问题',
    access: CITIZEN,
    query: nearbyQuerySchema,
    responses: { 200: items(nearbyCaseSchema) },
  },
  supportReport: {
    method: 'post',
    path: '/reports/:id/support',
    tag: 'reports',
    summary: '附议（我也遇到）',
    access: CITIZEN,
    params: idParams,
    body: noBody,
    responses: { 200: supportResultSchema },
  },
  listMyReports: {
    method: 'get',
    path: '/me/reports',
    tag: 'reports',
    summary: '我的上报与附议',
    access: CITIZEN,
    query: myReportsQuerySchema,
    responses: { 200: reportPageSchema },
  },
  getMyReport: {
    method: 'get',
    path: '/me/reports/:id',
    tag: 'reports',
    summary: '案件进度',
    access: CITIZEN,
    params: idParams,
    responses: { 200: reportDetailSchema },
  },
  editMyReport: {
    method: 'patch',
    path: '/me/reports/:id',
    tag: 'reports',
    summary: '补充描述（受理前）',
    access: CITIZEN,
    params: idParams,
    body: updateReportSchema,
    responses: { 200: reportDetailSchema },
  },
  withdrawMyReport: {
    method: 'post',
    path: '/me/reports/:id/withdraw',
    tag: 'reports',
    summary: '撤回（受理前）',
    access: CITIZEN,
    params: idParams,
    body: noBody,
    responses: { 200: reportDetailSchema },
  },
  rateMyReport: {
    method: 'post',
    path: '/me/reports/:id/rating',
    tag: 'reports',
    summary: '评价处置结果',
    access: CITIZEN,
    params: idParams,
    body: rateReportSchema,
    responses: { 200: reportDetailSchema },
  },
  reportNotFixed: {
    method: 'post',
    path: '/me/reports/:id/not-fixed',
    tag: 'reports',
    summary: '反馈没修好',
    access: CITIZEN,
    params: idParams,
    body: notFixedSchema,
    responses: { 200: reportDetailSchema },
  },
  shareMyReport: {
    method: 'post',
    path: '/me/reports/:id/share',
    tag: 'reports',
    summary: '分享已结案的上报（修好前后对比，不含上报人和精确位置）',
    access: CITIZEN,
    params: idParams,
    body: noBody,
    responses: { 200: sharedCaseSchema },
  },
  getSharedCase: {
    method: 'get',
    path: '/shared-cases/:id',
    tag: 'reports',
    summary: '市民分享的已结案案件',
    access: 'public',
    params: idParams,
    responses: { 200: sharedCaseSchema },
  },
  confirmFixed: {
    method: 'post',
    path: '/me/reports/:id/confirm',
    tag: 'reports',
    summary: '确认已修好',
    access: CITIZEN,
    params: idParams,
    body: noBody,
    responses: { 200: reportDetailSchema },
  },

  // ---- cases (dispatch desk and departments)
  caseQueue: {
    method: 'get',
    path: '/staff/cases',
    tag: 'cases',
    summary: '案件队列',
    access: CASE_STAFF,
    query: caseQueueQuerySchema,
    responses: { 200: page(staffCaseSummarySchema) },
  },
  getStaffCase: {
    method: 'get',
    path: '/staff/cases/:id',
    tag: 'cases',
    summary: '案件详情',
    access: CASE_STAFF,
    params: idParams,
    responses: { 200: staffCaseDetailSchema },
  },
  actOnCase: {
    method: 'post',
    path: '/staff/cases/:id/actions',
    tag: 'cases',
    summary: '办理动作（受理、立案、派遣、处置、核查、结案等）',
    access: CASE_STAFF,
    params: idParams,
    body: staffActionSchema,
    responses: { 200: staffCaseDetailSchema },
  },

  // ---- forwarding
  forwardingCallback: {
    method: 'post',
    path: '/forwarding/callback',
    tag: 'forwarding',
    summary: '外部平台状态回调（HMAC 签名）',
    access: 'signed',
    headers: z.object({ [FORWARD_HEADERS.target]: z.string(), [FORWARD_HEADERS.timestamp]: z.string(), [FORWARD_HEADERS.signature]: z.string() }),
    body: forwardingCallbackSchema,
    responses: { 200: forwardingCallbackResultSchema },
  },
  listForwardingTargets: {
    method: 'get',
    path: '/forwarding/targets',
    tag: 'forwarding',
    summary: '可转派的外部平台',
    access: ['operator', 'dispatcher', 'admin'],
    responses: { 200: forwardingTargetListSchema },
  },
  forwardingStatus: {
    method: 'get',
    path: '/admin/forwarding',
    tag: 'forwarding',
    summary: '转派投递情况',
    access: ADMIN,
    responses: { 200: forwardingAdminViewSchema },
  },
  retryFailedForwarding: {
    method: 'post',
    path: '/admin/forwarding/retry-failed',
    tag: 'forwarding',
    summary: '重投失败的转派',
    access: ADMIN,
    body: noBody,
    responses: { 200: z.object({ requeued: z.number().int().min(0) }) },
  },

  // ---- Open311 GeoReport v2
  open311Discovery: {
    method: 'get',
    path: '/open311/v2/discovery.:format',
    tag: 'open311',
    summary: 'Open311 服务发现',
    access: 'public',
    params: z.object(formatParam),
    responses: { 200: open311DiscoverySchema },
    open311: true,
  },
  open311Services: {
    method: 'get',
    path: '/open311/v2/services.:format',
    tag: 'open311',
    summary: 'Open311 服务（类别）列表',
    access: 'public',
    params: z.object(formatParam),
    responses: { 200: z.array(open311ServiceSchema) },
    open311: true,
  },
  open311ServiceDefinition: {
    method: 'get',
    path: '/open311/v2/services/:code.:format',
    tag: 'open311',
    summary: 'Open311 服务定义',
    access: 'public',
    params: z.object({ code: z.string(), ...formatParam }),
    responses: { 200: open311ServiceDefinitionSchema },
    open311: true,
  },
  open311ListRequests: {
    method: 'get',
    path: '/open311/v2/requests.:format',
    tag: 'open311',
    summary: 'Open311 请求列表（公开，位置已模糊）',
    access: 'public',
    params: z.object(formatParam),
    query: open311QuerySchema,
    responses: { 200: z.array(open311RequestSchema) },
    open311: true,
  },
  open311CreateRequest: {
    method: 'post',
    path: '/open311/v2/requests.:format',
    tag: 'open311',
    summary: 'Open311 提交请求（需 api_key）',
    access: 'public',
    params: z.object(formatParam),
    body: open311CreateSchema,
    bodyMediaType: 'open311-form',
    responses: { 201: z.array(open311CreatedSchema) },
    open311: true,
  },
  open311GetRequest: {
    method: 'get',
    path: '/open311/v2/requests/:id.:format',
    tag: 'open311',
    summary: 'Open311 单个请求',
    access: 'public',
    params: z.object({ id: z.string(), ...formatParam }),
    query: open311QuerySchema,
    responses: { 200: z.array(open311RequestSchema) },
    open311: true,
  },

  // ---- campaigns
  createCampaign: {
    method: 'post',
    path: '/admin/campaigns',
    tag: 'campaigns',
    summary: '新建活动（草稿）',
    access: CAMPAIGN_STAFF,
    body: createCampaignSchema,
    responses: { 201: adminCampaignSchema },
  },
  listCampaignsAdmin: {
    method: 'get',
    path: '/admin/campaigns',
    tag: 'campaigns',
    summary: '活动列表（管理）',
    access: CAMPAIGN_STAFF,
    responses: { 200: adminCampaignListSchema },
  },
  getCampaignAdmin: {
    method: 'get',
    path: '/admin/campaigns/:id',
    tag: 'campaigns',
    summary: '活动详情（管理）',
    access: CAMPAIGN_STAFF,
    params: idParams,
    responses: { 200: adminCampaignSchema },
  },
  updateCampaign: {
    method: 'patch',
    path: '/admin/campaigns/:id',
    tag: 'campaigns',
    summary: '修改活动',
    access: CAMPAIGN_STAFF,
    params: idParams,
    body: updateCampaignSchema,
    responses: { 200: adminCampaignSchema },
  },
  previewCampaign: {
    method: 'get',
    path: '/admin/campaigns/:id/preview',
    tag: 'campaigns',
    summary: '预览市民看到的活动页',
    access: CAMPAIGN_STAFF,
    params: idParams,
    responses: { 200: publicCampaignSchema },
  },
  publishCampaign: {
    method: 'post',
    path: '/admin/campaigns/:id/publish',
    tag: 'campaigns',
    summary: '发布活动',
    access: CAMPAIGN_STAFF,
    params: idParams,
    body: publishCampaignSchema.optional(),
    responses: { 200: adminCampaignSchema },
  },
  unpublishCampaign: {
    method: 'post',
    path: '/admin/campaigns/:id/unpublish',
    tag: 'campaigns',
    summary: '撤下活动',
    access: CAMPAIGN_STAFF,
    params: idParams,
    body: unpublishCampaignSchema,
    responses: { 200: adminCampaignSchema },
  },
  endCampaign: {
    method: 'post',
    path: '/admin/campaigns/:id/end',
    tag: 'campaigns',
    summary: '提前结束活动',
    access: CAMPAIGN_STAFF,
    params: idParams,
    body: endCampaignSchema.optional(),
    responses: { 200: adminCampaignSchema },
  },
  campaignResults: {
    method: 'get',
    path: '/admin/campaigns/:id/results',
    tag: 'campaigns',
    summary: '活动成效',
    access: CAMPAIGN_STAFF,
    params: idParams,
    responses: { 200: campaignResultsSchema },
  },
  campaignPoster: {
    method: 'get',
    path: '/admin/campaigns/:id/poster.png',
    tag: 'campaigns',
    summary: '活动海报（含小程序码）',
    access: CAMPAIGN_STAFF,
    params: idParams,
    responses: { 200: { mediaType: 'image/png', description: '海报' } },
  },
  campaignResultsCsv: {
    method: 'get',
    path: '/admin/campaigns/:id/results.csv',
    tag: 'campaigns',
    summary: '活动成效（CSV）',
    access: CAMPAIGN_STAFF,
    params: idParams,
    responses: { 200: { mediaType: 'text/csv', description: '按日成效' } },
  },
  listCampaigns: {
    method: 'get',
    path: '/campaigns',
    tag: 'campaigns',
    summary: '进行中与即将开始的活动',
    access: 'public',
    responses: { 200: campaignListSchema },
  },
  getCampaign: {
    method: 'get',
    path: '/campaigns/:id',
    tag: 'campaigns',
    summary: '活动页',
    access: 'public',
    params: idParams,
    responses: { 200: publicCampaignSchema },
  },
  listCampaignSubscriptions: {
    method: 'get',
    path: '/me/campaign-subscriptions',
    tag: 'campaigns',
    summary: '我订阅的活动提醒（按区县）',
    access: CITIZEN,
    responses: { 200: campaignSubscriptionsSchema },
  },
  subscribeCampaigns: {
    method: 'post',
    path: '/me/campaign-subscriptions',
    tag: 'campaigns',
    summary: '订阅区县的活动提醒',
    access: CITIZEN,
    body: campaignSubscriptionSchema,
    responses: { 200: campaignSubscriptionsSchema },
  },
  unsubscribeCampaigns: {
    method: 'delete',
    path: '/me/campaign-subscriptions/:districtId',
    tag: 'campaigns',
    summary: '取消订阅',
    access: CITIZEN,
    params: z.object({ districtId: z.string() }),
    responses: { 200: campaignSubscriptionsSchema },
  },

  // ---- message centre and WeChat subscriptions
  listMyMessages: {
    method: 'get',
    path: '/me/messages',
    tag: 'notifications',
    summary: '消息中心（最新在前）',
    access: CITIZEN,
    query: inboxQuerySchema,
    responses: { 200: inboxPageSchema },
  },
  myUnreadCount: {
    method: 'get',
    path: '/me/messages/unread-count',
    tag: 'notifications',
    summary: '未读消息数',
    access: CITIZEN,
    responses: { 200: unreadCountSchema },
  },
  markMessagesRead: {
    method: 'post',
    path: '/me/messages/read',
    tag: 'notifications',
    summary: '标记已读（不带 ids 为全部）',
    access: CITIZEN,
    body: markReadSchema,
    responses: { 200: unreadCountSchema },
  },
  mySubscriptions: {
    method: 'get',
    path: '/me/subscriptions',
    tag: 'notifications',
    summary: '订阅消息模板与剩余次数',
    access: CITIZEN,
    responses: { 200: subscriptionStatusSchema },
  },
  recordSubscriptions: {
    method: 'post',
    path: '/me/subscriptions',
    tag: 'notifications',
    summary: '记录订阅弹窗的结果（wx.requestSubscribeMessage）',
    access: CITIZEN,
    body: subscriptionResultsSchema,
    responses: { 200: subscriptionStatusSchema },
  },

  // ---- points and rewards
  getMyPoints: { method: 'get', path: '/me/points', tag: 'points', summary: '我的积分', access: CITIZEN, responses: { 200: myPointsSchema } },
  myPointsHistory: {
    method: 'get',
    path: '/me/points/history',
    tag: 'points',
    summary: '积分明细',
    access: CITIZEN,
    query: pointsHistoryQuerySchema,
    responses: { 200: pointsHistorySchema },
  },
  setPointsPreferences: {
    method: 'put',
    path: '/me/points/preferences',
    tag: 'points',
    summary: '排行榜匿名设置',
    access: CITIZEN,
    body: pointsPreferencesSchema,
    responses: { 200: myPointsSchema },
  },
  listRewards: { method: 'get', path: '/rewards', tag: 'points', summary: '可兑换的奖励', access: 'public', responses: { 200: items(rewardSchema) } },
  claimReward: {
    method: 'post',
    path: '/rewards/:id/claims',
    tag: 'points',
    summary: '兑换奖励（按 clientRequestId 幂等）',
    access: CITIZEN,
    params: z.object({ id: rewardIdSchema }),
    body: createClaimSchema,
    responses: { 201: claimSchema, 200: claimSchema },
  },
  listMyClaims: {
    method: 'get',
    path: '/me/claims',
    tag: 'points',
    summary: '我的兑换',
    access: CITIZEN,
    query: claimListQuerySchema.omit({ status: true }),
    responses: { 200: page(claimSchema) },
  },
  leaderboard: {
    method: 'get',
    path: '/leaderboard',
    tag: 'points',
    summary: '积分排行榜（昵称可匿名）',
    access: 'public',
    query: leaderboardQuerySchema,
    responses: { 200: leaderboardSchema },
  },
  adjustPoints: {
    method: 'post',
    path: '/admin/points/adjustments',
    tag: 'points',
    summary: '人工调整积分',
    access: ADMIN,
    body: pointsAdjustmentSchema,
    responses: { 201: z.object({ line: staffPointsLineSchema, balance: z.number().int() }) },
  },
  searchCitizens: {
    method: 'get',
    path: '/admin/citizens',
    tag: 'auth',
    summary: '查找市民（编号、手机尾号或昵称；手机号脱敏）',
    access: ADMIN,
    query: citizenSearchQuerySchema,
    responses: { 200: citizenSearchResultSchema },
  },
  getCitizenPoints: {
    method: 'get',
    path: '/admin/points/citizens/:id',
    tag: 'points',
    summary: '市民积分余额',
    access: ADMIN,
    params: idParams,
    responses: { 200: citizenPointsSchema },
  },
  citizenPointsHistory: {
    method: 'get',
    path: '/admin/points/citizens/:id/history',
    tag: 'points',
    summary: '市民积分明细（含调整原因与操作人）',
    access: ADMIN,
    params: idParams,
    query: pointsHistoryQuerySchema,
    responses: { 200: staffPointsHistorySchema },
  },
  listRewardsAdmin: {
    method: 'get',
    path: '/admin/rewards',
    tag: 'points',
    summary: '全部奖励（含库存）',
    access: CLAIM_STAFF,
    responses: { 200: items(rewardSchema.extend({ unitsHeld: z.number().int().min(0) })) },
  },
  upsertReward: {
    method: 'put',
    path: '/admin/rewards/:id',
    tag: 'points',
    summary: '新建或修改奖励',
    access: ADMIN,
    params: z.object({ id: rewardIdSchema }),
    body: rewardInputSchema,
    responses: { 200: rewardSchema },
  },
  listClaims: {
    method: 'get',
    path: '/admin/claims',
    tag: 'points',
    summary: '兑换申请',
    access: CLAIM_STAFF,
    query: claimListQuerySchema,
    responses: { 200: page(staffClaimSchema) },
  },
  exportClaimsCsv: {
    method: 'get',
    path: '/admin/claims/export.csv',
    tag: 'points',
    summary: '兑换申请导出（CSV）',
    access: CLAIM_STAFF,
    query: claimExportQuerySchema,
    responses: { 200: { mediaType: 'text/csv', description: '兑换清单（手机号仅管理员可见全号）' } },
  },
  fulfilClaim: {
    method: 'post',
    path: '/admin/claims/:id/fulfil',
    tag: 'points',
    summary: '标记已发放',
    access: CLAIM_STAFF,
    params: idParams,
    body: fulfilClaimSchema,
    responses: { 200: staffClaimSchema },
  },
  failClaim: {
    method: 'post',
    path: '/admin/claims/:id/fail',
    tag: 'points',
    summary: '标记发放失败（退回积分）',
    access: CLAIM_STAFF,
    params: idParams,
    body: failClaimSchema,
    responses: { 200: staffClaimSchema },
  },
  markClaimDelivered: {
    method: 'post',
    path: '/admin/claims/:id/delivered',
    tag: 'points',
    summary: '标记已送达（仅已发放的兑换；重复标记不变）',
    access: CLAIM_STAFF,
    params: idParams,
    body: noBody,
    responses: { 200: staffClaimSchema },
  },

  // ---- statistics
  publicStatsSummary: summaryCut.published,
  staffStatsSummary: summaryCut.staff,
  publicStatsTimeseries: timeseriesCut.published,
  staffStatsTimeseries: timeseriesCut.staff,
  publicStatsCategories: categoriesCut.published,
  staffStatsCategories: categoriesCut.staff,
  publicStatsAreas: areasCut.published,
  staffStatsAreas: areasCut.staff,
  publicStatsDepartments: departmentsCut.published,
  staffStatsDepartments: departmentsCut.staff,
  publicStatsMap: mapCut.published,
  staffStatsMap: mapCut.staff,
  publicStatsExportJson: {
    method: 'get',
    path: '/stats/public/export.json',
    tag: 'stats',
    summary: '公开统计数据集（JSON）',
    access: 'public',
    query: statsQuerySchema,
    responses: { 200: statsExportSchema },
    conditional: true,
  },
  publicStatsExportCsv: {
    method: 'get',
    path: '/stats/public/export.csv',
    tag: 'stats',
    summary: '公开统计数据集（CSV）',
    access: 'public',
    query: statsQuerySchema,
    responses: { 200: { mediaType: 'text/csv', description: '每行一个公开单元格' } },
    conditional: true,
  },
  statsCases: {
    method: 'get',
    path: '/stats/staff/cases',
    tag: 'stats',
    summary: '指标背后的案件',
    access: STATS_STAFF,
    query: statsCasesQuerySchema,
    responses: { 200: statsCasesPageSchema },
  },
} as const satisfies Record<string, ContractOperation>;

/** An operation's name in the contract (and its OpenAPI operationId). */
export type OperationId = keyof typeof contract;
export type Operation<K extends OperationId = OperationId> = (typeof contract)[K];

/** The contract as a list, each operation with its id. */
export const operations: (ContractOperation & { id: OperationId })[] = Object.entries(contract).map(([id, op]) => ({
  ...(op as ContractOperation),
  id: id as OperationId,
}));

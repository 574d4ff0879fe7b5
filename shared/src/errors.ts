import { z } from 'zod';

/**
 * Every machine-readable error code the API can answer with, and no other: ApiError,
 * the error envelope schema (so the OpenAPI document and the contract check) and the
 * mini-program's request layer all take their type from this list, so a code that is
 * not here does not compile. A new code belongs here first, with its message below.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  /** Any other 4xx raised below the routes (an HTTP error from a library), not a validation of ours. */
  'BAD_REQUEST',
  'MALFORMED_JSON',
  'MALFORMED_REQUEST',
  'REQUEST_HEADERS_TOO_LARGE',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'UNAUTHENTICATED',
  'TOKEN_EXPIRED',
  'FORBIDDEN',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
  // auth
  'WECHAT_CODE_INVALID',
  'WECHAT_RATE_LIMITED',
  'WECHAT_RISKY_USER',
  'WECHAT_BUSY',
  'WECHAT_UNAVAILABLE',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_REUSED',
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'ACCOUNT_DISABLED',
  // media
  'NO_FILES',
  'TOO_MANY_FILES',
  'FILE_TOO_LARGE',
  'UNSUPPORTED_IMAGE',
  'IMAGE_CORRUPT',
  'IMAGE_DIMENSIONS_TOO_LARGE',
  'PHOTO_NOT_FOUND',
  // content security
  'CONTENT_REFUSED',
  'WECHAT_VISIT_REQUIRED',
  'WECHAT_PUSH_SIGNATURE_INVALID',
  // city data
  'CATEGORY_NOT_FOUND',
  'CATEGORY_NOT_PUBLIC',
  'OUTSIDE_SERVICE_AREA',
  'CITY_DATA_INVALID',
  // reports and cases
  'REPORT_NOT_EDITABLE',
  'ILLEGAL_TRANSITION',
  'ALREADY_RATED',
  'NOT_RATABLE',
  'CANNOT_SUPPORT_OWN',
  'CASE_NOT_OPEN',
  'CASE_NOT_CLOSED',
  // forwarding to external platforms
  'FORWARD_SIGNATURE_INVALID',
  'FORWARD_TIMESTAMP_INVALID',
  'FORWARD_UNKNOWN_CASE',
  // campaigns
  'CAMPAIGN_BODY_UNSAFE',
  'CAMPAIGN_ENDED',
  'CAMPAIGN_ALREADY_PUBLISHED',
  'CAMPAIGN_NOT_PUBLISHED',
  'CAMPAIGN_LIVE_LOCKED',
  // points and rewards
  'INSUFFICIENT_POINTS',
  'OUT_OF_STOCK',
  'CLAIM_LIMIT_REACHED',
  'PHONE_REQUIRED',
  'REWARD_NOT_ACTIVE',
  'CLAIM_NOT_PENDING',
  'CLAIM_NOT_FULFILLED',
  // statistics
  'STATS_REBUILD_IN_PROGRESS',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Codes kept in the list although the API does not answer with them today (clients may
 * still handle them); shared/test/errors.test.ts checks every other code is used.
 */
export const RESERVED_ERROR_CODES: readonly ErrorCode[] = [];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export const errorDetailSchema = z.object({
  field: z.string().optional(),
  issue: z.string(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.array(errorDetailSchema).optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** Default user-facing text per code; the API may send a more specific message. */
export const ERROR_MESSAGES_ZH: Record<ErrorCode, string> = {
  VALIDATION_FAILED: '提交的内容有误，请检查后重试',
  BAD_REQUEST: '提交的内容有误，请检查后重试',
  MALFORMED_JSON: '请求格式错误',
  MALFORMED_REQUEST: '请求格式错误',
  REQUEST_HEADERS_TOO_LARGE: '请求地址或请求头过长',
  REQUEST_TIMEOUT: '请求超时，请重试',
  PAYLOAD_TOO_LARGE: '提交的内容过大',
  UNSUPPORTED_MEDIA_TYPE: '不支持的内容类型',
  NOT_FOUND: '请求的内容不存在',
  METHOD_NOT_ALLOWED: '不支持该操作',
  UNAUTHENTICATED: '请先登录',
  TOKEN_EXPIRED: '登录已过期，请重新登录',
  FORBIDDEN: '没有权限执行此操作',
  CONFLICT: '数据已被他人修改，请刷新后重试',
  RATE_LIMITED: '操作过于频繁，请稍后再试',
  SERVICE_UNAVAILABLE: '服务暂时不可用，请稍后再试',
  INTERNAL: '服务器开小差了，请稍后再试',
  WECHAT_CODE_INVALID: '微信登录凭证无效，请重新进入小程序',
  WECHAT_RATE_LIMITED: '登录过于频繁，请稍后再试',
  WECHAT_RISKY_USER: '当前微信账号存在风险，暂时无法登录',
  WECHAT_BUSY: '微信服务繁忙，请稍后再试',
  WECHAT_UNAVAILABLE: '暂时无法连接微信服务，请稍后再试',
  REFRESH_TOKEN_INVALID: '登录已失效，请重新登录',
  REFRESH_TOKEN_REUSED: '登录状态异常，已为您安全退出，请重新登录',
  INVALID_CREDENTIALS: '用户名或密码错误',
  ACCOUNT_LOCKED: '密码错误次数过多，账号已临时锁定',
  ACCOUNT_DISABLED: '账号已停用，请联系管理员',
  NO_FILES: '请至少选择一张照片',
  TOO_MANY_FILES: '最多上传 9 张照片',
  FILE_TOO_LARGE: '照片太大，请压缩后重试',
  UNSUPPORTED_IMAGE: '不支持的图片格式，请上传 JPEG、PNG 或 WebP 照片',
  IMAGE_CORRUPT: '照片已损坏或不完整，请重新拍摄',
  IMAGE_DIMENSIONS_TOO_LARGE: '照片尺寸过大',
  PHOTO_NOT_FOUND: '照片不存在或已失效，请重新上传',
  CONTENT_REFUSED: '内容含有不适宜公开的信息，请修改后再提交',
  WECHAT_VISIT_REQUIRED: '微信内容安全检查需要你近两小时内打开过小程序：请在微信中打开「随手拍」工作台后再试',
  WECHAT_PUSH_SIGNATURE_INVALID: '消息推送签名无效',
  CATEGORY_NOT_FOUND: '问题类别不存在',
  CATEGORY_NOT_PUBLIC: '该类别暂不接受市民上报',
  OUTSIDE_SERVICE_AREA: '该位置不在本市服务范围内',
  CITY_DATA_INVALID: '城市数据格式有误',
  REPORT_NOT_EDITABLE: '该上报已受理，无法修改或撤回',
  ILLEGAL_TRANSITION: '当前状态下不能执行该操作',
  ALREADY_RATED: '您已评价过该案件',
  NOT_RATABLE: '案件结案后才能评价',
  CANNOT_SUPPORT_OWN: '这是您自己的上报，无需再次附议',
  CASE_NOT_CLOSED: '案件结案后才能分享',
  CASE_NOT_OPEN: '该案件已办结或已关闭',
  FORWARD_SIGNATURE_INVALID: '签名校验失败',
  FORWARD_TIMESTAMP_INVALID: '请求时间戳无效或已过期',
  FORWARD_UNKNOWN_CASE: '未找到对应的转办案件',
  CAMPAIGN_BODY_UNSAFE: '活动正文包含不安全的内容（脚本、样式或事件代码），请删除后重试',
  CAMPAIGN_ENDED: '活动已结束，无法修改',
  CAMPAIGN_ALREADY_PUBLISHED: '活动已发布',
  CAMPAIGN_NOT_PUBLISHED: '活动尚未发布',
  CAMPAIGN_LIVE_LOCKED: '活动进行中，开始时间、积分倍数和参与范围不能修改',
  INSUFFICIENT_POINTS: '积分不足',
  OUT_OF_STOCK: '奖品已兑完',
  CLAIM_LIMIT_REACHED: '已达到该奖品的兑换次数上限',
  PHONE_REQUIRED: '兑换话费需要先绑定手机号',
  REWARD_NOT_ACTIVE: '该奖品当前不在兑换期内',
  CLAIM_NOT_PENDING: '该兑换已处理，不能重复操作',
  CLAIM_NOT_FULFILLED: '该兑换尚未发放，不能标记送达',
  STATS_REBUILD_IN_PROGRESS: '统计数据正在重建，请稍后再试',
};

export function friendlyMessage(code: ErrorCode): string {
  return ERROR_MESSAGES_ZH[code];
}

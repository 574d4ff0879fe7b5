import { z } from 'zod';
import { hasVisibleText, safeText } from './text';

/** Staff roles of a 数字城管 centre (see domain brief §2). */
export const STAFF_ROLES = ['operator', 'dispatcher', 'department', 'supervisor', 'publicity', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const STAFF_ROLE_NAMES_ZH: Record<StaffRole, string> = {
  operator: '受理员',
  dispatcher: '派遣员',
  department: '处置部门',
  supervisor: '监督员',
  publicity: '宣传员',
  admin: '管理员',
};

export const DEFAULT_NICKNAME = '匿名市民';

/** Mainland China mobile number. */
export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

const nickname = safeText({ error: '昵称必须是文字' })
  .trim()
  .min(1, '昵称不能为空')
  .max(20, '昵称最多 20 个字')
  // Not only zero-width or combining characters: it must show on the leaderboard.
  .refine((v) => v === '' || hasVisibleText(v), '昵称不能为空');

/** Chinese messages for a request body that is not an object, or carries fields a strict schema does not know. */
const bodyError = (issue: { code?: string; keys?: string[] }) => {
  if (issue.code === 'invalid_type') return '请求内容必须是 JSON 对象';
  if (issue.code === 'unrecognized_keys') return `不支持的字段：${(issue.keys ?? []).join('、')}`;
  return undefined;
};

export const wechatLoginSchema = z.object(
  {
    code: z.string({ error: '缺少微信登录凭证' }).min(1, '缺少微信登录凭证').max(128, '微信登录凭证格式错误'),
  },
  { error: bodyError },
);
export const refreshSchema = z.object(
  {
    refreshToken: z.string({ error: '缺少刷新凭证' }).min(16, '刷新凭证格式错误').max(512, '刷新凭证格式错误'),
  },
  { error: bodyError },
);
export const devLoginSchema = z.object(
  {
    /** Stable key for the demo citizen (e.g. "alice"); the same key logs into the same account. */
    devUser: z.string({ error: '请填写测试用户名' }).regex(/^[a-z0-9_-]{1,32}$/, '测试用户名为 1–32 位小写字母、数字、_ 或 -'),
    nickname: nickname.optional(),
  },
  { error: bodyError },
);

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  /** Seconds. */
  accessTokenExpiresIn: z.number().int(),
  refreshToken: z.string(),
  /** Seconds. */
  refreshTokenExpiresIn: z.number().int(),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const meSchema = z.object({
  id: z.string(),
  nickname: z.string(),
  /** Masked, e.g. 138****5678; the full number never leaves the server after it is saved. */
  phoneMasked: z.string().nullable(),
  points: z.number().int(),
  createdAt: z.string(),
});
export type Me = z.infer<typeof meSchema>;

export const updateMeSchema = z.strictObject(
  {
    nickname: nickname.optional(),
    /** null removes the saved number. */
    // NFKC: digits typed full-width (１３８…) by a Chinese input method are ASCII digits.
    phone: z.string({ error: '手机号格式不正确' }).normalize('NFKC').trim().regex(PHONE_PATTERN, '手机号格式不正确').nullable().optional(),
  },
  { error: bodyError },
);
export type UpdateMe = z.infer<typeof updateMeSchema>;

export const loginResultSchema = tokenPairSchema.extend({ user: meSchema });
export type LoginResult = z.infer<typeof loginResultSchema>;

// ---- staff accounts ----

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{2,31}$/;
export const STAFF_PASSWORD_MIN_LENGTH = 8;

const staffRole = z.enum(STAFF_ROLES, { error: '角色无效' });
const staffUsername = z
  .string({ error: '请填写用户名' })
  .trim()
  .toLowerCase()
  .regex(USERNAME_PATTERN, '用户名为 3–32 位小写字母、数字、_ . 或 -，以字母或数字开头');
const staffPassword = z
  .string({ error: '请填写密码' })
  .min(STAFF_PASSWORD_MIN_LENGTH, `密码至少 ${STAFF_PASSWORD_MIN_LENGTH} 位`)
  .max(128, '密码最多 128 位');
const staffDisplayName = safeText({ error: '请填写姓名' }).trim().min(1, '姓名不能为空').max(40, '姓名最多 40 个字');
const departmentId = z.string({ error: '所属部门编号必须是文字' }).trim().min(1, '所属部门不能为空').max(64, '所属部门编号过长');

/**
 * A department account acts for exactly one handling department; no other role belongs to one.
 * Returns the problem with `departmentId` for a role, or null when the combination is valid.
 */
export function roleDepartmentIssue(role: StaffRole, departmentId: string | null | undefined): string | null {
  if (role === 'department' && !departmentId) return '处置部门账号必须指定所属部门';
  if (role !== 'department' && departmentId) return '只有处置部门账号可以指定所属部门';
  return null;
}

export const staffLoginSchema = z.object(
  {
    username: z.string({ error: '请填写用户名' }).trim().toLowerCase().min(1, '请填写用户名').max(64, '用户名过长'),
    password: z.string({ error: '请填写密码' }).min(1, '请填写密码').max(128, '密码最多 128 位'),
  },
  { error: bodyError },
);

export const staffProfileSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(STAFF_ROLES),
  departmentId: z.string().nullable(),
});
export type StaffProfile = z.infer<typeof staffProfileSchema>;

/** A staff member's mini-program openid, linked from the workbench (content security checks need it). */
export const staffWeChatLinkSchema = z.object({ linked: z.literal(true) });
export type StaffWeChatLink = z.infer<typeof staffWeChatLinkSchema>;

export const staffLoginResultSchema = tokenPairSchema.extend({ staff: staffProfileSchema });
export type StaffLoginResult = z.infer<typeof staffLoginResultSchema>;

/** What an administrator sees of an account (never the password hash). */
export const staffAccountSchema = staffProfileSchema.extend({
  active: z.boolean(),
  /** Set while the account is locked after repeated wrong passwords. */
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type StaffAccount = z.infer<typeof staffAccountSchema>;

export const staffListSchema = z.object({ items: z.array(staffAccountSchema) });
export type StaffList = z.infer<typeof staffListSchema>;

export const createStaffSchema = z
  .strictObject(
    {
      username: staffUsername,
      password: staffPassword,
      displayName: staffDisplayName,
      role: staffRole,
      departmentId: departmentId.optional(),
    },
    { error: bodyError },
  )
  .superRefine((input, ctx) => {
    const issue = roleDepartmentIssue(input.role, input.departmentId);
    if (issue) ctx.addIssue({ code: 'custom', path: ['departmentId'], message: issue });
  });
export type CreateStaff = z.infer<typeof createStaffSchema>;

/** Partial update; the role/department combination is checked against the stored account. */
export const updateStaffSchema = z.strictObject(
  {
    displayName: staffDisplayName.optional(),
    role: staffRole.optional(),
    /** null detaches the account from its department. */
    departmentId: departmentId.nullable().optional(),
    active: z.boolean({ error: '启用状态必须是 true 或 false' }).optional(),
    /** Sets a new password, unlocks the account and signs it out everywhere. */
    password: staffPassword.optional(),
  },
  { error: bodyError },
);
export type UpdateStaff = z.infer<typeof updateStaffSchema>;

/** POST /auth/sms/code: a mainland mobile number. */
export const smsCodeRequestSchema = z.object({ phone: z.string().regex(PHONE_PATTERN, '请输入正确的手机号') });
export const smsCodeSentSchema = z.object({ resendAfterSeconds: z.number().int() });
/** POST /auth/sms/login */
export const smsLoginSchema = z.object({
  phone: z.string().regex(PHONE_PATTERN, '请输入正确的手机号'),
  code: z.string().regex(/^\d{6}$/, '验证码为 6 位数字'),
});
/** GET /auth/options: which browser sign-ins this deployment offers. */
export const loginOptionsSchema = z.object({ sms: z.boolean(), wechatWeb: z.boolean(), devLogin: z.boolean() });
/** GET /auth/wechat-web/authorize-url?returnTo= */
export const webAuthorizeQuerySchema = z.object({
  returnTo: z
    .string()
    .regex(/^(pages|packagePublic)\/[a-z-]+\/index(\?[\w=&%-]*)?$/, '只能返回本应用的页面')
    .optional(),
});
export const webAuthorizeUrlSchema = z.object({ url: z.string() });
/** POST /auth/wechat-web/login */
export const webLoginSchema = z.object({ code: z.string().min(1).max(128), state: z.string().min(1).max(512) });
export const webLoginResultSchema = loginResultSchema.extend({ returnTo: z.string() });
export type LoginOptions = z.infer<typeof loginOptionsSchema>;

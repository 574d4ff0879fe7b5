import { z } from 'zod';

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

export const wechatLoginSchema = z.object({ code: z.string().min(1).max(128) });
export const refreshSchema = z.object({ refreshToken: z.string().min(16).max(512) });
export const devLoginSchema = z.object({
  /** Stable key for the demo citizen (e.g. "alice"); the same key logs into the same account. */
  devUser: z.string().regex(/^[a-z0-9_-]{1,32}$/),
  nickname: z.string().trim().min(1).max(20).optional(),
});

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  accessTokenExpiresIn: z.number().int(),
  refreshToken: z.string(),
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

export const updateMeSchema = z
  .object({
    nickname: z.string().trim().min(1).max(20).optional(),
    phone: z
      .string()
      .regex(/^1[3-9]\d{9}$/, '手机号格式不正确')
      .nullable()
      .optional(),
  })
  .strict();

export const loginResultSchema = tokenPairSchema.extend({ user: meSchema });
export type LoginResult = z.infer<typeof loginResultSchema>;

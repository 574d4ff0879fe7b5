import path from 'node:path';
import { z } from 'zod';
import { MAP_TILE_DATUMS, type CaseAction, type MapTileDatum, type SubscribePurpose } from '@ssp/shared';
import { DEFAULT_ONE_TIME_STEPS, invertSteps, NOTIFIED_ACTIONS, ONE_TIME_STEP_PURPOSES, type OneTimeStepMap } from './notifications/messages';

const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me-0000';

const booleanFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const listFromEnv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/**
 * Which case steps each one-time template is spent on: `caseAccepted:file,reject;caseResult:verify_pass`.
 * A purpose left out spends nothing; a step in no list stays in the message centre only.
 */
const oneTimeStepsFromEnv = z.string().transform((value, ctx): OneTimeStepMap => {
  const steps: Partial<Record<(typeof ONE_TIME_STEP_PURPOSES)[number], CaseAction[]>> = {};
  const seen = new Set<string>();
  for (const part of value
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [purpose, list = ''] = part.split(':').map((p) => p.trim());
    if (!ONE_TIME_STEP_PURPOSES.includes(purpose as never)) {
      ctx.addIssue({ code: 'custom', message: `unknown template purpose "${purpose}" (one of ${ONE_TIME_STEP_PURPOSES.join(', ')})` });
      return z.NEVER;
    }
    const actions = list
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    for (const action of actions) {
      // 已收到 is never worth a one-time send: the citizen has just seen it on screen.
      if (action === 'submit' || !NOTIFIED_ACTIONS.includes(action as CaseAction)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${action}" is not a step the reporter is told about (one of ${NOTIFIED_ACTIONS.filter((a) => a !== 'submit').join(', ')})`,
        });
        return z.NEVER;
      }
      if (seen.has(action)) {
        ctx.addIssue({ code: 'custom', message: `"${action}" is listed twice` });
        return z.NEVER;
      }
      seen.add(action);
    }
    steps[purpose as (typeof ONE_TIME_STEP_PURPOSES)[number]] = actions as CaseAction[];
  }
  return invertSteps(steps);
});

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    MONGODB_URI: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\/.+/, 'must be a mongodb:// or mongodb+srv:// URI')
      .default('mongodb://127.0.0.1:27017/suishoupai'),
    /** How long a request waits for an unreachable database before its 503: short, so clients fail fast and retry. */
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(1500),
    /** A reply that takes longer fails: a dead socket must not hold a pooled connection (and the requests queued behind it) forever. */
    MONGODB_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
    /** Connections per process; every single-document update is atomic on the server, so any size is safe. */
    MONGODB_MAX_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JSON_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(1024 * 1024),
    UPLOAD_MAX_FILE_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(10 * 1024 * 1024),
    UPLOAD_MAX_FILES: z.coerce.number().int().min(1).max(9).default(9),
    CORS_ORIGINS: listFromEnv.default([]),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    H5_DIST_DIR: z.string().default(path.resolve(__dirname, '..', '..', 'miniapp', 'dist', 'h5')),
    CONSOLE_DIST_DIR: z.string().default(path.resolve(__dirname, '..', '..', 'console', 'dist')),
    DEV_LOGIN_ENABLED: booleanFromEnv.default(false),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    WECHAT_APPID: z.string().default('touristappid'),
    WECHAT_SECRET: z.string().default(''),
    WECHAT_API_BASE_URL: z.string().url().default('https://api.weixin.qq.com'),
    WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    WECHAT_TEMPLATE_CASE_STATUS: z.string().default(''),
    WECHAT_TEMPLATE_CASE_ACCEPTED: z.string().default(''),
    WECHAT_TEMPLATE_CASE_RESULT: z.string().default(''),
    WECHAT_TEMPLATE_RATING_REMINDER: z.string().default(''),
    WECHAT_TEMPLATE_CAMPAIGN: z.string().default(''),
    /** Content security (WeChat msg_sec_check / media_check_async): default on in production, off elsewhere. */
    CONTENT_SECURITY: z.enum(['off', 'wechat']).optional(),
    /** Token of the mini-program's message push (media-check verdicts arrive there). */
    WECHAT_PUSH_TOKEN: z.string().default(''),
    WECHAT_SUBSCRIBE_MODE: z.enum(['one-time', 'long-term']).default('one-time'),
    WECHAT_ONE_TIME_STEPS: oneTimeStepsFromEnv.optional(),
    WECHAT_RATING_REMINDER_HOURS: z.coerce.number().min(0).max(720).default(24),
    WECHAT_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
    MEDIA_DIR: z.string().default(path.resolve(__dirname, '..', '..', '.data', 'media')),
    MEDIA_MAX_INPUT_PIXELS: z.coerce.number().int().min(1_000_000).max(300_000_000).default(100_000_000),
    CITY_DATA_DIR: z.string().default(path.resolve(__dirname, '..', '..', 'data', 'cities', 'demo')),
    REPORTS_PER_DAY: z.coerce.number().int().min(1).max(1000).default(20),
    DUPLICATE_RADIUS_M: z.coerce.number().min(5).max(2000).default(50),
    DUPLICATE_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
    CASES_REPORTER_MAY_CONFIRM: booleanFromEnv.default(false),
    /** The service account (公众号) for WeChat web authorisation in the browser version; off when unset. */
    WECHAT_WEB_APPID: z.string().default(''),
    WECHAT_WEB_SECRET: z.string().default(''),
    SMS_PROVIDER_URL: z.union([z.literal(''), z.string().url()]).default(''),
    SMS_PROVIDER_KEY: z.string().default(''),
    SMS_TEMPLATE: z.string().default('SMS_LOGIN_CODE'),
    SMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
    /** Map tiles for the browser version's location picker, in the datum the product uses (GCJ-02). */
    MAP_TILE_URL: z.string().default('https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}'),
    MAP_TILE_SUBDOMAINS: z.string().default('1234'),
    /** The datum the tiles are drawn in: gcj02 (AutoNavi, Tencent) or wgs84 (Tianditu's CGCS2000, OpenStreetMap). */
    MAP_TILE_DATUM: z.enum(MAP_TILE_DATUMS).default('gcj02'),
    GEOCODER_URL: z.union([z.literal(''), z.string().url()]).default(''),
    GEOCODER_KEY: z.string().default(''),
    GEOCODER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
    PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:3000'),
    CAMPAIGN_MULTIPLIER_MIN: z.coerce.number().min(1).max(10).default(1),
    CAMPAIGN_MULTIPLIER_MAX: z.coerce.number().min(1).max(10).default(5),
    CAMPAIGN_BODY_MAX_CHARS: z.coerce.number().int().min(1000).max(200_000).default(20_000),
    STATS_MIN_CELL: z.coerce.number().int().min(1).max(100).default(5),
    STATS_POSTPONED_OUT_OF_DENOMINATOR: booleanFromEnv.default(true),
    STATS_PUBLIC_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
    /** Take the client IP from X-Forwarded-For (as the last proxy saw it): only behind a reverse proxy that sets it. */
    TRUST_PROXY: booleanFromEnv.default(false),
    /** Staff password and WeChat login attempts per client IP and minute (each costs a scrypt hash or a WeChat call); default 30. */
    LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).optional(),
    /** Staff login attempts per username and minute, from any IP (wrong passwords also lock the account); default 10. */
    STAFF_LOGIN_RATE_PER_USERNAME_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).optional(),
    /** Photo upload requests per signed-in user and minute; default 30. */
    MEDIA_UPLOADS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).optional(),
    /** Nearby-case look-ups per citizen and minute (they reveal where open cases are); default 60. */
    NEARBY_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).optional(),
    /** Comma-separated `client:key` pairs allowed to POST Open311 requests. */
    /** Check every response against the OpenAPI contract (on by default in tests; a violation becomes a 500). */
    CONTRACT_CHECK: booleanFromEnv.optional(),
    OPEN311_API_KEYS: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{16,128}$/, 'each entry must be client:key (key ≥ 16 chars)')))
      .default([]),
  })
  .superRefine((env, ctx) => {
    if (env.CAMPAIGN_MULTIPLIER_MIN > env.CAMPAIGN_MULTIPLIER_MAX) {
      ctx.addIssue({ code: 'custom', path: ['CAMPAIGN_MULTIPLIER_MIN'], message: 'must not exceed CAMPAIGN_MULTIPLIER_MAX' });
    }
    const contentSecurity = env.CONTENT_SECURITY ?? (env.NODE_ENV === 'production' ? 'wechat' : 'off');
    if (contentSecurity === 'wechat' && !env.WECHAT_PUSH_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['WECHAT_PUSH_TOKEN'],
        message: 'is required with content security (image verdicts are pushed there); or set CONTENT_SECURITY=off',
      });
    }
    if (env.NODE_ENV !== 'production') return;
    if (!env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
    } else if (env.JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must not be the published development secret' });
    }
    if (env.DEV_LOGIN_ENABLED) {
      ctx.addIssue({ code: 'custom', path: ['DEV_LOGIN_ENABLED'], message: 'must not be enabled in production' });
    }
  });

type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  mongodbUri: string;
  mongodbServerSelectionTimeoutMs: number;
  mongodbMaxPoolSize: number;
  mongodbSocketTimeoutMs: number;
  jwtSecret: string;
  jsonBodyLimitBytes: number;
  upload: { maxFileBytes: number; maxFiles: number };
  corsOrigins: string[];
  logLevel: Env['LOG_LEVEL'];
  h5DistDir: string;
  /** The built staff console, served at /console/. */
  consoleDistDir: string;
  devLoginEnabled: boolean;
  shutdownTimeoutMs: number;
  tokens: { accessTtlSeconds: number; refreshTtlDays: number };
  wechat: {
    appId: string;
    secret: string;
    apiBaseUrl: string;
    timeoutMs: number;
    /** Template ids per purpose ('' when not configured). */
    templates: Record<SubscribePurpose, string>;
    /** long-term: caseStatus is a long-term template covering every step; one-time: one send per acceptance. */
    subscribeMode: 'one-time' | 'long-term';
    /** One-time mode: the template each case step spends (steps not listed reach the message centre only). */
    oneTimeSteps: OneTimeStepMap;
    /** Content security through WeChat, and the push token its image verdicts are signed with. */
    contentSecurity: 'off' | 'wechat';
    pushToken: string;
    ratingReminderHours: number;
    miniprogramState: 'developer' | 'trial' | 'formal';
  };
  media: { dir: string; maxInputPixels: number };
  wechatWeb: { appId: string; secret: string };
  /** SMS gateway for browser sign-in by phone (sms.ts); url '' when off. */
  sms: { url: string; key: string; template: string; timeoutMs: number };
  mapTiles: { url: string; subdomains: string; datum: MapTileDatum };
  /** Reverse geocoding provider (Tencent Location Service protocol); url '' when none. */
  geocoder: { url: string; key: string; timeoutMs: number };
  cityDataDir: string;
  reports: { perDay: number; duplicateRadiusM: number; duplicateMaxAgeDays: number };
  /** Public reports close on the reporter's confirmation instead of on-site verification. */
  cases: { reporterMayConfirm: boolean };
  /** How the outside world reaches this API (absolute photo URLs in forwarded cases and Open311). */
  publicBaseUrl: string;
  campaigns: { multiplierMin: number; multiplierMax: number; bodyMaxChars: number };
  stats: { minCell: number; postponedOutOfDenominator: boolean; publicRatePerMinute: number };
  /** Whether ctx.ip comes from X-Forwarded-For (behind a reverse proxy). */
  trustProxy: boolean;
  /** Requests per minute: login per IP and per staff username, uploads per user, nearby per citizen. */
  rateLimits: { loginPerIp: number; staffLoginPerUsername: number; mediaUploadsPerUser: number; nearbyPerCitizen: number };
  /** Open311 API keys by key → client name. */
  open311: { apiKeys: Map<string, string> };
  contractCheck: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const relevant = Object.fromEntries(Object.keys(envSchema.shape).map((key) => [key, source[key] === '' ? undefined : source[key]]));
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  // Tests run many requests under a stopped clock (one window): these limits are off there unless a test sets them.
  const perMinute = (value: number | undefined, fallback: number) => value ?? (env.NODE_ENV === 'test' ? 1_000_000 : fallback);
  return {
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    mongodbUri: env.MONGODB_URI,
    mongodbServerSelectionTimeoutMs: env.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    mongodbMaxPoolSize: env.MONGODB_MAX_POOL_SIZE,
    mongodbSocketTimeoutMs: env.MONGODB_SOCKET_TIMEOUT_MS,
    jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
    jsonBodyLimitBytes: env.JSON_BODY_LIMIT_BYTES,
    upload: { maxFileBytes: env.UPLOAD_MAX_FILE_BYTES, maxFiles: env.UPLOAD_MAX_FILES },
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    h5DistDir: env.H5_DIST_DIR,
    consoleDistDir: env.CONSOLE_DIST_DIR,
    devLoginEnabled: env.DEV_LOGIN_ENABLED,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    tokens: { accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS, refreshTtlDays: env.REFRESH_TOKEN_TTL_DAYS },
    wechat: {
      appId: env.WECHAT_APPID,
      secret: env.WECHAT_SECRET,
      apiBaseUrl: env.WECHAT_API_BASE_URL.replace(/\/+$/, ''),
      timeoutMs: env.WECHAT_TIMEOUT_MS,
      templates: {
        caseStatus: env.WECHAT_TEMPLATE_CASE_STATUS,
        caseAccepted: env.WECHAT_TEMPLATE_CASE_ACCEPTED,
        caseResult: env.WECHAT_TEMPLATE_CASE_RESULT,
        ratingReminder: env.WECHAT_TEMPLATE_RATING_REMINDER,
        campaign: env.WECHAT_TEMPLATE_CAMPAIGN,
      },
      subscribeMode: env.WECHAT_SUBSCRIBE_MODE,
      oneTimeSteps: env.WECHAT_ONE_TIME_STEPS ?? invertSteps(DEFAULT_ONE_TIME_STEPS),
      contentSecurity: env.CONTENT_SECURITY ?? (env.NODE_ENV === 'production' ? 'wechat' : 'off'),
      pushToken: env.WECHAT_PUSH_TOKEN,
      ratingReminderHours: env.WECHAT_RATING_REMINDER_HOURS,
      miniprogramState: env.WECHAT_MINIPROGRAM_STATE,
    },
    media: { dir: env.MEDIA_DIR, maxInputPixels: env.MEDIA_MAX_INPUT_PIXELS },
    wechatWeb: { appId: env.WECHAT_WEB_APPID, secret: env.WECHAT_WEB_SECRET },
    sms: { url: env.SMS_PROVIDER_URL.replace(/\/+$/, ''), key: env.SMS_PROVIDER_KEY, template: env.SMS_TEMPLATE, timeoutMs: env.SMS_TIMEOUT_MS },
    mapTiles: { url: env.MAP_TILE_URL, subdomains: env.MAP_TILE_SUBDOMAINS, datum: env.MAP_TILE_DATUM },
    geocoder: { url: env.GEOCODER_URL.replace(/\/+$/, ''), key: env.GEOCODER_KEY, timeoutMs: env.GEOCODER_TIMEOUT_MS },
    cityDataDir: env.CITY_DATA_DIR,
    reports: {
      perDay: env.REPORTS_PER_DAY,
      duplicateRadiusM: env.DUPLICATE_RADIUS_M,
      duplicateMaxAgeDays: env.DUPLICATE_MAX_AGE_DAYS,
    },
    cases: { reporterMayConfirm: env.CASES_REPORTER_MAY_CONFIRM },
    publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    campaigns: {
      multiplierMin: env.CAMPAIGN_MULTIPLIER_MIN,
      multiplierMax: env.CAMPAIGN_MULTIPLIER_MAX,
      bodyMaxChars: env.CAMPAIGN_BODY_MAX_CHARS,
    },
    stats: {
      minCell: env.STATS_MIN_CELL,
      postponedOutOfDenominator: env.STATS_POSTPONED_OUT_OF_DENOMINATOR,
      publicRatePerMinute: env.STATS_PUBLIC_RATE_PER_MINUTE,
    },
    trustProxy: env.TRUST_PROXY,
    rateLimits: {
      loginPerIp: perMinute(env.LOGIN_RATE_PER_MINUTE, 30),
      staffLoginPerUsername: perMinute(env.STAFF_LOGIN_RATE_PER_USERNAME_PER_MINUTE, 10),
      mediaUploadsPerUser: perMinute(env.MEDIA_UPLOADS_PER_MINUTE, 30),
      nearbyPerCitizen: perMinute(env.NEARBY_RATE_PER_MINUTE, 60),
    },
    open311: {
      apiKeys: new Map(env.OPEN311_API_KEYS.map((pair) => [pair.slice(pair.indexOf(':') + 1), pair.slice(0, pair.indexOf(':'))])),
    },
    contractCheck: env.CONTRACT_CHECK ?? env.NODE_ENV === 'test',
  };
}

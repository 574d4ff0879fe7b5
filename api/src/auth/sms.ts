import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';
import { maskPhone } from '../core/mask';

/**
 * Sign-in by phone number for browsers (outside WeChat): a six-digit code by SMS,
 * kept only as an HMAC, valid five minutes, at most five tries, one send per number a
 * minute and ten a day (the per-IP limit is the login route's). The SMS gateway is an
 * HTTP service: POST {SMS_PROVIDER_URL}/sms/send {phone, template, params} with the key
 * as a bearer token; any 2xx with {"ok":true} is a send.
 */
const CODE_TTL_MS = 5 * 60_000;
const RESEND_AFTER_MS = 60_000;
const MAX_SENDS_PER_DAY = 10;
const MAX_ATTEMPTS = 5;

interface SmsCodeDoc {
  /** The phone number. */
  _id: string;
  codeHash: string | null;
  expiresAt: Date;
  attempts: number;
  sentAt: Date;
  /** Shanghai day of `sends`. */
  day: string;
  sends: number;
}

const smsCodeSchema = new Schema<SmsCodeDoc>(
  {
    _id: { type: String, required: true },
    codeHash: { type: String, default: null },
    expiresAt: { type: Date, required: true },
    attempts: { type: Number, required: true, default: 0 },
    sentAt: { type: Date, required: true },
    day: { type: String, required: true },
    sends: { type: Number, required: true, default: 0 },
  },
  { collection: 'sms_codes', versionKey: false },
);

const smsCodeModel = (db: Connection): Model<SmsCodeDoc> =>
  (db.models.SmsCode as Model<SmsCodeDoc>) ?? db.model<SmsCodeDoc>('SmsCode', smsCodeSchema);

const refuse = (status: number, code: 'VALIDATION_FAILED' | 'RATE_LIMITED' | 'SERVICE_UNAVAILABLE' | 'NOT_FOUND', message: string, field?: string) =>
  new ApiError(status, code, message, field ? [{ field, issue: message }] : undefined);

/** The gateway refused the number for its own sending limit (HTTP 429). */
class ProviderLimited extends Error {}

export class SmsCodes {
  constructor(private readonly ctx: ServiceContext) {}

  private get SmsCode() {
    return smsCodeModel(this.ctx.db);
  }

  get configured(): boolean {
    return !!this.ctx.config.sms.url;
  }

  private hash(phone: string, code: string): string {
    return createHmac('sha256', this.ctx.config.jwtSecret).update(`sms:${phone}:${code}`).digest('hex');
  }

  /** Sends a fresh code to `phone`; the previous one stops working. */
  async send(phone: string): Promise<{ resendAfterSeconds: number }> {
    if (!this.configured) throw refuse(404, 'NOT_FOUND', '短信登录未开通');
    const now = this.ctx.clock.now();
    const day = now.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
    const existing = await this.SmsCode.findById(phone).lean<SmsCodeDoc>();
    if (existing && now.getTime() - existing.sentAt.getTime() < RESEND_AFTER_MS) {
      throw refuse(429, 'RATE_LIMITED', '验证码已发送，请 1 分钟后再试', 'phone');
    }
    const sendsToday = existing && existing.day === day ? existing.sends : 0;
    if (sendsToday >= MAX_SENDS_PER_DAY) throw refuse(429, 'RATE_LIMITED', '今天的验证码次数已用完，请明天再试', 'phone');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    // Claimed before sending, conditional on what was read: two sends at once cannot both pass.
    const claimed = await this.SmsCode.updateOne(
      existing ? { _id: phone, sentAt: existing.sentAt } : { _id: phone, sentAt: { $exists: false } },
      {
        $set: {
          codeHash: this.hash(phone, code),
          expiresAt: new Date(now.getTime() + CODE_TTL_MS),
          attempts: 0,
          sentAt: now,
          day,
          sends: sendsToday + 1,
        },
      },
      { upsert: !existing },
    ).catch((err: { code?: number }) => {
      if (err.code === 11000) return { modifiedCount: 0, upsertedCount: 0 };
      throw err;
    });
    if (!claimed.modifiedCount && !claimed.upsertedCount) throw refuse(429, 'RATE_LIMITED', '验证码已发送，请 1 分钟后再试', 'phone');
    try {
      await this.deliver(phone, code);
    } catch (err) {
      await this.SmsCode.updateOne({ _id: phone }, { $set: { codeHash: null } });
      this.ctx.logger.warn({ phone: maskPhone(phone), err: (err as Error).message }, 'sms not sent');
      // The provider's own per-number limit is the citizen's to wait out, not an outage.
      if (err instanceof ProviderLimited) throw refuse(429, 'RATE_LIMITED', '该号码获取验证码过于频繁，请稍后再试', 'phone');
      throw refuse(503, 'SERVICE_UNAVAILABLE', '短信发送失败，请稍后再试');
    }
    return { resendAfterSeconds: RESEND_AFTER_MS / 1000 };
  }

  /** Checks a code; true once, then the code is used up. */
  async verify(phone: string, code: string): Promise<void> {
    const now = this.ctx.clock.now();
    // Each try is counted before it is judged: guessing cannot outrun the limit.
    const doc = await this.SmsCode.findOneAndUpdate(
      { _id: phone, codeHash: { $ne: null } },
      { $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    ).lean<SmsCodeDoc>();
    if (!doc || doc.expiresAt.getTime() <= now.getTime()) throw refuse(400, 'VALIDATION_FAILED', '验证码已失效，请重新获取', 'code');
    if (doc.attempts > MAX_ATTEMPTS) {
      await this.SmsCode.updateOne({ _id: phone }, { $set: { codeHash: null } });
      throw refuse(429, 'RATE_LIMITED', '验证码错误次数过多，请重新获取', 'code');
    }
    const expected = Buffer.from(doc.codeHash!, 'hex');
    const given = Buffer.from(this.hash(phone, code), 'hex');
    if (!timingSafeEqual(expected, given)) throw refuse(400, 'VALIDATION_FAILED', '验证码不正确', 'code');
    await this.SmsCode.updateOne({ _id: phone, codeHash: doc.codeHash }, { $set: { codeHash: null } });
  }

  private async deliver(phone: string, code: string): Promise<void> {
    const { url, key, template, timeoutMs } = this.ctx.config.sms;
    const res = await fetch(`${url}/sms/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ phone, template, params: { code, minutes: CODE_TTL_MS / 60_000 } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await res.json().catch(() => null)) as { ok?: boolean; error?: string } | null;
    if (res.status === 429) throw new ProviderLimited(body?.error ?? 'rate_limited');
    if (!res.ok || body?.ok !== true) throw new Error(`gateway answered ${res.status} ${body?.error ?? ''}`.trim());
  }
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServiceContext } from '../context';
import { ApiError } from '../core/errors';
import type { AuthService } from '../auth/service';
import { WECHAT_ERRCODE, WeChatApiError, type WeChatClient } from '../auth/wechat-client';
import type { CaseWorkflow } from '../cases/workflow';
import type { CaseQueries } from '../cases/queries';
import type { PhotoDoc } from '../media/model';
import type { MediaService } from '../media/service';

const visitRequired = () =>
  new ApiError(422, 'WECHAT_VISIT_REQUIRED', undefined, [{ field: 'wechat', issue: '需在近两小时内打开过小程序（工作人员：在小程序工作台登录）' }]);

const MSG_SEC_CHECK_MAX_CHARS = 2500;

/** Splits a text into pieces of at most `max` UTF-16 units, never inside a surrogate pair. */
function piecesOf(text: string, max: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const char of text) {
    if (piece.length + char.length > max) {
      pieces.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/** Where a text is shown, in WeChat's scene numbers: 1 资料 (profile), 2 评论 (comment), 3 论坛 (post). */
export type TextScene = 1 | 2 | 3;

/**
 * Content security, as review of a government mini-program expects: what citizens write
 * that others will see passes WeChat's msg_sec_check before it is stored; their photos
 * go to media_check_async, and a photo found risky later is hidden from every view but a
 * staff reviewer's and its case is marked for an operator. Off for local development
 * (CONTENT_SECURITY=off); on in production.
 *
 * Both WeChat checks need the author's mini-program openid of a visit in the last two hours
 * (else WeChat answers 61010): text and photos of citizens without one (browser sign-in)
 * are not checked by WeChat; staff link theirs from the workbench, and what they publish
 * without one is refused (WECHAT_VISIT_REQUIRED), since it cannot be checked.
 */
export class ContentSecurity {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly wechat: WeChatClient,
    private readonly workflow: CaseWorkflow,
    /** Citizens' and staff's mini-program openids, from the auth domain. */
    private readonly people: Pick<AuthService, 'getCitizen' | 'staffWechatOpenid'>,
    private readonly cases: Pick<CaseQueries, 'idsShowingPhoto'>,
    private readonly media: Pick<MediaService, 'getPhotos' | 'markImageCheck' | 'recordImageVerdict'>,
  ) {}

  private get on(): boolean {
    return this.ctx.config.wechat.contentSecurity === 'wechat';
  }

  private async openidOf(citizenId: string): Promise<string | null> {
    return (await this.people.getCitizen(citizenId))?.openid ?? null;
  }

  /** A staff member's linked mini-program openid; without one nothing they publish can be checked, so it is refused. */
  private async staffOpenid(staffId: string): Promise<string> {
    const openid = await this.people.staffWechatOpenid(staffId);
    if (!openid) throw visitRequired();
    return openid;
  }

  /** Refuses (422 CONTENT_REFUSED on `field`) a text WeChat finds risky; empty texts pass. */
  async checkText(citizenId: string, text: string | null | undefined, field: string, scene: TextScene): Promise<void> {
    if (!this.on || !text?.trim()) return;
    const openid = await this.openidOf(citizenId);
    if (!openid) return;
    await this.check(openid, text, field, scene);
  }

  /**
   * What staff publish for citizens to read (campaign titles, summaries, bodies): checked
   * with the author's mini-program openid, linked from the workbench (POST /staff/me/wechat).
   */
  async checkStaffTexts(staffId: string, texts: ReadonlyArray<{ field: string; text: string | null | undefined }>, scene: TextScene): Promise<void> {
    const toCheck = texts.filter((t) => t.text?.trim());
    if (!this.on || !toCheck.length) return;
    const openid = await this.staffOpenid(staffId);
    for (const { field, text } of toCheck) await this.check(openid, text!, field, scene);
  }

  /** One text, in pieces within WeChat's 2,500-character limit. */
  private async check(openid: string, text: string, field: string, scene: TextScene): Promise<void> {
    for (const content of piecesOf(text, MSG_SEC_CHECK_MAX_CHARS)) {
      const { suggest } = await this.wechat.msgSecCheck({ content, openid, scene }).catch((err: Error) => {
        if (err instanceof WeChatApiError && err.errcode === WECHAT_ERRCODE.VISIT_EXPIRED) throw visitRequired();
        // WeChat unreachable: say so rather than store unchecked text.
        throw new ApiError(503, 'WECHAT_UNAVAILABLE', '内容安全检查暂时不可用，请稍后再试', [{ field, issue: err.message }]);
      });
      if (suggest === 'risky') {
        throw new ApiError(422, 'CONTENT_REFUSED', '内容含有不适宜公开的信息，请修改后再提交', [{ field, issue: '未通过内容安全检查' }]);
      }
    }
  }

  /** Starts WeChat's image check of a citizen's new photos; the verdict comes to `onMediaVerdict`. */
  async checkPhotos(citizenId: string, photos: readonly PhotoDoc[]): Promise<void> {
    if (!this.on || !photos.length) return;
    const openid = await this.openidOf(citizenId);
    if (!openid) return;
    await this.startImageChecks(openid, photos);
  }

  /** Starts the image check of a photo staff publish (a campaign cover); refuses when the author has no linked openid. */
  async checkStaffPhoto(staffId: string, photoId: string): Promise<void> {
    if (!this.on) return;
    const openid = await this.staffOpenid(staffId);
    const [photo] = await this.media.getPhotos([photoId]);
    if (photo && !photo.check) await this.startImageChecks(openid, [photo]);
  }

  private async startImageChecks(openid: string, photos: readonly PhotoDoc[]): Promise<void> {
    for (const photo of photos) {
      try {
        const traceId = await this.wechat.mediaCheckAsync({ mediaUrl: `${this.ctx.config.publicBaseUrl}/media/${photo._id}`, openid, scene: 3 });
        await this.media.markImageCheck(photo._id, traceId);
      } catch (err) {
        // The upload stands; the photo stays unchecked.
        this.ctx.logger.warn({ photoId: photo._id, err: (err as Error).message }, 'image check not started');
      }
    }
  }

  /** Refuses a push request without WeChat's signature: sha1 of the sorted token, timestamp and nonce. */
  verifyPush(q: { signature?: string; timestamp?: string; nonce?: string }): void {
    const token = this.ctx.config.wechat.pushToken;
    const expected = createHash('sha1')
      .update([token, q.timestamp ?? '', q.nonce ?? ''].sort().join(''))
      .digest();
    const given = Buffer.from(/^[a-f0-9]{40}$/.test(q.signature ?? '') ? q.signature! : '', 'hex');
    if (!token || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError(401, 'WECHAT_PUSH_SIGNATURE_INVALID', undefined, [{ field: 'signature', issue: 'does not match the push token' }]);
    }
  }

  /** A pushed media-check verdict: a risky photo is hidden and each case holding it marked for an operator. */
  async onMediaVerdict(event: {
    Event?: unknown;
    trace_id?: unknown;
    result?: { suggest?: unknown };
  }): Promise<{ photoId: string | null; verdict: string | null }> {
    if (event.Event !== 'wxa_media_check' || typeof event.trace_id !== 'string') return { photoId: null, verdict: null };
    const verdict = event.result?.suggest === 'risky' ? 'risky' : event.result?.suggest === 'review' ? 'review' : 'pass';
    const photo = await this.media.recordImageVerdict(event.trace_id, verdict);
    if (!photo) return { photoId: null, verdict };
    if (verdict === 'risky') {
      for (const caseId of await this.cases.idsShowingPhoto(photo._id))
        await this.workflow.annotate(caseId, { kind: 'photo-flagged', photoId: photo._id });
    }
    return { photoId: photo._id, verdict };
  }
}

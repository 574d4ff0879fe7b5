import sanitizeHtml, { type Attributes } from 'sanitize-html';
import { PHOTO_ID_PATTERN, type ErrorDetail } from '@ssp/shared';

/**
 * Campaign bodies are rich text written by staff and shown to every citizen. The
 * safe subset is kept: paragraphs, line breaks, bold/emphasis, lists, links
 * (absolute http/https, opened with rel="noopener noreferrer") and images served
 * from our own /media/<photoId>. Anything else is stripped (unknown tags lose their
 * markup but keep their text; embedded content such as <iframe> or <svg> is dropped
 * whole). Outright script — <script>, <style>, on* event-handler attributes and
 * javascript:/vbscript: URLs in any attribute — is refused, so the author learns
 * that what they pasted was hostile instead of seeing it silently vanish.
 */

export const BODY_ALLOWED_TAGS = ['p', 'br', 'strong', 'b', 'em', 'ul', 'ol', 'li', 'a', 'img'];

/** Refused outright. */
const REFUSED_TAGS = new Set(['script', 'style']);

/** Dropped with everything inside them (their text is not prose). */
const DROPPED_WITH_CONTENT = [
  'script',
  'style',
  'textarea',
  'option',
  'xmp',
  'noscript',
  'iframe',
  'object',
  'embed',
  'svg',
  'math',
  'template',
  'title',
  'head',
  'select',
  'noembed',
  'noframes',
];

/** `/media/<id>` or `/media/<id>/thumb`, relative or on our public base URL. */
function mediaPhotoId(src: string, publicBaseUrl: string): string | null {
  const path = src.startsWith(`${publicBaseUrl}/`) ? src.slice(publicBaseUrl.length) : src;
  const match = /^\/media\/([^/?#]+)(?:\/thumb)?$/.exec(path);
  return match && PHOTO_ID_PATTERN.test(match[1]!) ? match[1]! : null;
}

/** Attribute values as a browser would read them: control characters and whitespace ignored, any case. */
function isScriptUrl(value: string): boolean {
  const squeezed = value.replace(/[\u0000-\u0020\u007f-\u009f\s]+/g, '').toLowerCase();
  return squeezed.includes('javascript:') || squeezed.includes('vbscript:');
}

export interface BodyInspection {
  /** Why the body is refused; empty when it may be sanitised. */
  refusals: ErrorDetail[];
  /** Photo ids the body's images point at (to check they exist before keeping them). */
  photoIds: string[];
}

/** First pass: what the HTML contains, as the parser (entities decoded, names lower-cased) sees it. */
export function inspectBody(html: string, publicBaseUrl: string): BodyInspection {
  const refusals = new Map<string, string>();
  const photoIds = new Set<string>();
  sanitizeHtml(html, {
    allowedTags: [],
    allowedAttributes: {},
    onOpenTag(name, attribs) {
      if (REFUSED_TAGS.has(name)) refusals.set(`tag:${name}`, `不允许使用 <${name}> 标签`);
      for (const [attr, value] of Object.entries(attribs)) {
        if (attr.startsWith('on')) refusals.set(`attr:${attr}`, `不允许使用事件属性 ${attr}`);
        if (isScriptUrl(value ?? '')) refusals.set('url:javascript', '不允许使用 javascript: 等脚本链接');
      }
      if (name === 'img' && attribs.src) {
        const id = mediaPhotoId(attribs.src.trim(), publicBaseUrl);
        if (id) photoIds.add(id);
      }
    },
  });
  return { refusals: [...refusals.values()].map((issue) => ({ field: 'body', issue })), photoIds: [...photoIds] };
}

/**
 * Second pass: the safe subset. `knownPhotoIds` are the images that may stay;
 * images from other hosts or of unknown photos are removed.
 */
export function sanitizeBody(html: string, publicBaseUrl: string, knownPhotoIds: ReadonlySet<string>): string {
  return sanitizeHtml(html, {
    allowedTags: BODY_ALLOWED_TAGS,
    allowedAttributes: { a: ['href', 'rel'], img: ['src', 'alt'] },
    allowedSchemes: ['http', 'https'],
    allowedSchemesByTag: {},
    allowProtocolRelative: false,
    nonTextTags: DROPPED_WITH_CONTENT,
    transformTags: {
      a: (_tag, attribs) => {
        const href = (attribs.href ?? '').trim();
        const none: Attributes = {};
        if (/^https?:\/\/[^\s/]/i.test(href)) return { tagName: 'a', attribs: { href, rel: 'noopener noreferrer' } };
        return { tagName: 'span', attribs: none }; // outside the subset: the link goes, its text stays
      },
      img: (_tag, attribs) => {
        const id = mediaPhotoId((attribs.src ?? '').trim(), publicBaseUrl);
        const none: Attributes = {};
        if (!id || !knownPhotoIds.has(id)) return { tagName: 'img', attribs: none }; // removed by exclusiveFilter
        const alt = (attribs.alt ?? '').slice(0, 200);
        const kept: Attributes = alt ? { src: `/media/${id}`, alt } : { src: `/media/${id}` };
        return { tagName: 'img', attribs: kept };
      },
    },
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  }).trim();
}

/** The words of a body as a reader sees them (for WeChat's text check): tags dropped, entities decoded, blocks on their own lines. */
export function bodyText(html: string): string {
  const text = sanitizeHtml(html.replace(/<\/(p|div|h[1-6]|li|blockquote)>|<br\s*\/?>/gi, '$&\n'), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

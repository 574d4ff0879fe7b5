import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/;

/** `sha256=<hex HMAC-SHA256 over "<timestamp>.<raw body>">`, the value of X-SSP-Signature. */
export function signBody(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Constant-time check of an X-SSP-Signature header against the exact body text. */
export function verifySignature(secret: string, timestamp: string, body: string, header: string | undefined): boolean {
  const match = header ? SIGNATURE_FORMAT.exec(header.trim().toLowerCase()) : null;
  if (!match) return false;
  const expected = Buffer.from(signBody(secret, timestamp, body).slice('sha256='.length), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'));
}

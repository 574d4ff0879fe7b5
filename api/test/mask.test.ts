import { maskDeep, maskText } from '../src/core/mask';

describe('log masking', () => {
  it('masks mobile numbers and openids inside text', () => {
    expect(maskText('call 13812345678 now')).toBe('call 138****5678 now');
    const openid = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
    const masked = maskText(`user ${openid} logged in`);
    expect(masked).not.toContain(openid);
    expect(masked).toContain('oUpF***eS6o');
  });

  it('masks sensitive keys in objects', () => {
    const out = maskDeep({ openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', phone: '13912345678', password: 'hunter2', n: 1 }) as Record<string, unknown>;
    expect(out.openid).toBe('oUpF***eS6o');
    expect(out.phone).toBe('139****5678');
    expect(out.password).toBe('[redacted]');
    expect(out.n).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { classifyKis } from '../../../src/adapters/kis/outcome.js';

describe('KIS rt_cd / msg_cd / error_code (protocol.md section 6.7)', () => {
  it('reads every documented code', () => {
    expect(classifyKis(200, { rt_cd: '0', msg_cd: 'MCA00000', msg1: '정상처리 되었습니다.' })).toEqual({ kind: 'ok' });
    expect(classifyKis(200, { rt_cd: '1', msg_cd: 'EGW00123', msg1: '기간이 만료된 token 입니다.' })).toEqual({ kind: 'token', code: 'EGW00123' });
    expect(classifyKis(200, { rt_cd: '1', msg_cd: 'EGW00121' }).kind).toBe('token');
    expect(classifyKis(500, { rt_cd: '1', msg_cd: 'EGW00201', msg1: '초당 거래건수를 초과하였습니다.' })).toEqual({ kind: 'rate', code: 'EGW00201' });
    expect(classifyKis(403, { error_code: 'EGW00133', error_description: '1분당 1회' })).toEqual({ kind: 'throttle', code: 'EGW00133' });
    expect(classifyKis(403, { error_code: 'EGW00103' })).toEqual({ kind: 'credentials', code: 'EGW00103' });
    expect(classifyKis(403, { error_code: 'EGW00105' })).toEqual({ kind: 'credentials', code: 'EGW00105' });
    expect(classifyKis(500, { rt_cd: '1', msg_cd: 'EGW02004' }).kind).toBe('mode');
  });
  it('tells server faults from rejects, and accepts the token response shape as ok', () => {
    expect(classifyKis(500, { rt_cd: '1', msg_cd: 'EGW00500' })).toEqual({ kind: 'server', code: 'EGW00500' });
    expect(classifyKis(200, { rt_cd: '7', msg_cd: 'OPSQ2001' })).toEqual({ kind: 'reject', code: 'OPSQ2001' });
    expect(classifyKis(502, undefined)).toEqual({ kind: 'server', code: 'HTTP 502' });
    expect(classifyKis(200, { access_token: 'x', expires_in: 86400 })).toEqual({ kind: 'ok' });
  });
});

import { describe, expect, it } from 'vitest';
import { bracketCode, classifyKiwoom } from '../../../src/adapters/kiwoom/return-code.js';

describe('kiwoom return_code in every form (protocol.md section 5.2)', () => {
  it('is ok on return_code 0 with HTTP 200', () => {
    expect(classifyKiwoom(200, { return_code: 0, return_msg: '정상적으로 처리되었습니다' })).toEqual({ kind: 'ok' });
    expect(classifyKiwoom(200, { return_code: '0' })).toEqual({ kind: 'ok' });
  });
  it('reads token errors from the body, the bracket and HTTP 401', () => {
    expect(classifyKiwoom(200, { return_code: 8005 })).toEqual({ kind: 'token', code: 8005 });
    expect(classifyKiwoom(200, { return_code: 3, return_msg: '인증에 실패했습니다[8005:Token이 유효하지 않습니다]' })).toEqual({
      kind: 'token',
      code: 8005,
    });
    expect(classifyKiwoom(200, { return_code: '8031' }).kind).toBe('token');
    expect(classifyKiwoom(200, { return_code: 8103 }).kind).toBe('token');
    expect(classifyKiwoom(401, undefined)).toEqual({ kind: 'token', code: 401 });
    expect(classifyKiwoom(200, { return_code: 1, return_msg: 'LOGIN 실패 CODE=8005' }).kind).toBe('token');
  });
  it('tells 1700 from 1634 only by the bracket', () => {
    const msg = (c: number) => `허용된 요청 개수를 초과하였습니다[${c}:허용된 API 요청 개수를 초과하였습니다.]`;
    expect(classifyKiwoom(200, { return_code: 5, return_msg: msg(1700) })).toEqual({ kind: 'rate', code: 1700 });
    expect(classifyKiwoom(200, { return_code: 5, return_msg: msg(1634) })).toEqual({ kind: 'batch', code: 1634 });
    expect(classifyKiwoom(200, { return_code: '1700' })).toEqual({ kind: 'rate', code: 1700 });
    expect(classifyKiwoom(429, {})).toEqual({ kind: 'rate', code: 429 });
    expect(classifyKiwoom(429, undefined)).toEqual({ kind: 'rate', code: 429 });
  });
  it('maps credentials, device, mode, server and other codes', () => {
    expect(classifyKiwoom(200, { return_code: 8001 }).kind).toBe('credentials');
    expect(classifyKiwoom(200, { return_code: 3, return_msg: '[8002:x]' }).kind).toBe('credentials');
    expect(classifyKiwoom(200, { return_code: 8040 }).kind).toBe('device');
    expect(classifyKiwoom(200, { return_code: 8030 }).kind).toBe('mode');
    expect(classifyKiwoom(503, undefined)).toEqual({ kind: 'server', status: 503 });
    expect(classifyKiwoom(200, { return_code: 1902, return_msg: '종목 정보 없음' })).toEqual({ kind: 'reject', code: 1902 });
    expect(classifyKiwoom(404, {})).toEqual({ kind: 'reject', code: 404 });
  });
  it('finds bracket codes', () => {
    expect(bracketCode('x[1700:y]')).toBe(1700);
    expect(bracketCode('CODE=8103')).toBe(8103);
    expect(bracketCode('plain')).toBeUndefined();
    expect(bracketCode(5)).toBeUndefined();
  });
});

describe('kiwoom server errors', () => {
  it('treats 5xx with an unspecific code, and 1999, as server faults', () => {
    expect(classifyKiwoom(503, { return_code: 1999, return_msg: '[1999:예기치 못한 에러]' })).toEqual({ kind: 'server', status: 503 });
    expect(classifyKiwoom(200, { return_code: 1999 })).toEqual({ kind: 'server', status: 200 });
    expect(classifyKiwoom(500, { return_code: 5, return_msg: '[1700:x]' }).kind).toBe('rate');
  });
});

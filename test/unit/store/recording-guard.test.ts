import { describe, expect, it } from 'vitest';
import { isRealFrame, recordingRefusal, redactForRecording } from '../../../src/adapters/recording/recording-guard.js';

describe('recording guard', () => {
  it('passes market frames and harmless replies', () => {
    const real = '{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"10":"+70000","20":"090001"}}]}';
    expect(recordingRefusal(real)).toBeNull();
    expect(redactForRecording(real)).toBe(real);
    expect(recordingRefusal('{"trnm":"LOGIN","return_code":0,"return_msg":""}')).toBeNull();
    expect(recordingRefusal('{"trnm":"PING","seq":7}')).toBeNull();
    expect(recordingRefusal('{"api":"ka90003","request":{"mrkt_tp":"001"},"response":{"return_code":0},"cont":{"cont-yn":"Y","next-key":"abc"}}')).toBeNull();
    expect(recordingRefusal('{"event":"token.refreshed","expiresAt":123,"token":"[redacted]"}')).toBeNull();
  });

  it.each([
    ['{"trnm":"LOGIN","token":"eyJhbGciOi"}', 'LOGIN frame with a token'],
    ['{ "trnm" : "LOGIN" , "token" : "abc" }', 'LOGIN frame with a token'],
    ['{"api":"au10001","response":{"token":"WQJCwyqInphKnR3bSRtB9NE1lv"}}', 'secret-bearing field "token"'],
    ['{"headers":{"Authorization":"Bearer abc"}}', 'secret-bearing field "authorization"'],
    ['{"request":{"appkey":"AK","secretkey":"SK"}}', 'secret-bearing field "appkey"'],
    ['{"request":"{\\"appsecret\\":\\"xyz\\"}"}', 'secret-bearing field "appsecret"'],
    ['{"access_token":"t"}', 'secret-bearing field "access_token"'],
    ['auth failed for Bearer eyJhbGciOiJIUzI1NiJ9.payload', 'bearer credential'],
  ])('refuses %s', (data, reason) => {
    expect(recordingRefusal(data)).toBe(reason);
    expect(redactForRecording(data)).toBeNull();
  });

  it('scans for the configured secret values', () => {
    const secrets = ['MY-APP-KEY-123', 'abc']; // too short values are ignored (false positives)
    expect(recordingRefusal('{"note":"xMY-APP-KEY-123x"}', secrets)).toBe('a configured secret value');
    expect(recordingRefusal('{"note":"abc"}', secrets)).toBeNull();
  });

  it('recognises market pushes by their exact prefix, as text and as bytes', () => {
    const real = '{"trnm":"REAL","data":[]}';
    expect(isRealFrame(real)).toBe(true);
    expect(isRealFrame(Buffer.from(real))).toBe(true);
    for (const other of ['{"trnm":"LOGIN","token":"x"}', '{ "trnm":"REAL"}', '{"trnm":"REA', '', ' {"trnm":"REAL"}']) {
      expect(isRealFrame(other)).toBe(false);
      expect(isRealFrame(Buffer.from(other))).toBe(false);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { runBinary, runCli } from '../../support/cli.js';

describe('krx-signals calendar', () => {
  it('prints closed days with their reason and open days with every phase of both venues', async () => {
    const r = await runCli(['calendar', '--from', '2026-12-24', '--days', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '2026-12-24 Thu  open  profiles krx-2026-09, nxt-2025-03',
        '  NXT  08:00-08:50  nxt-pre-market',
        '  KRX  08:30-09:00  pre-open-auction',
        '  KRX  09:00-15:20  continuous',
        '  NXT  09:00:30-15:20  nxt-main',
        '  KRX  15:20-15:30  closing-auction',
        '  NXT  15:30-20:00  nxt-after-market',
        '  KRX  15:40-16:00  after-hours-close-price',
        '  KRX  16:00-20:00  after-market',
        '2026-12-25 Fri  closed (성탄절)',
        '',
      ].join('\n'),
    );
  });

  it('refuses a bad --from or --days with exit 2', async () => {
    expect((await runCli(['calendar', '--from', '2026-13-01'])).code).toBe(2);
    expect((await runCli(['calendar', '--days', '0'])).code).toBe(2);
    expect((await runCli(['calendar', '--days', 'x'])).stderr).toMatch(/--days takes a whole number/);
  });

  it('says when a year has no closure list', async () => {
    const r = await runCli(['calendar', '--from', '2028-03-06', '--days', '1']);
    expect(r.stdout).toMatch(/no closure list for 2028/);
  });

  it('gives the same answer under TZ=UTC and TZ=Asia/Seoul (the real binary)', async () => {
    const args = ['calendar', '--from', '2026-11-19', '--days', '3'];
    const utc = await runBinary(args, { TZ: 'UTC' });
    const seoul = await runBinary(args, { TZ: 'Asia/Seoul' });
    expect(utc.code).toBe(0);
    expect(utc.stdout).toContain('2026-11-19 Thu  open (csat)');
    expect(seoul.stdout).toBe(utc.stdout);
  });
});

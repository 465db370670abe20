import { describe, expect, it } from 'vitest';
import { benchDaemonLatency } from '../../../bench/daemon/latency.js';
import { benchDaemonRss } from '../../../bench/daemon/rss.js';

// Real daemons on loopback for a second or two each: these check that the benches measure what they
// claim (samples from the right window, every signal committed), not how fast anything is.
describe('daemon benches on a tiny run', () => {
  it('latency: frame -> committed signal and frame -> handled event, from the measured window only', async () => {
    const r = await benchDaemonLatency({ tradesPerSecond: 2_000, warmupMs: 500, durationMs: 1_500, drainMs: 500, stocks: 300, symbols: 200 });
    expect(r.decodeErrors).toBe(0);
    expect(r.uncommitted).toBe(0);
    expect(r.entriesPerSecond).toBeGreaterThan(500);
    expect(r.framesPerSecond).toBeGreaterThan(5);
    // Every decoded entry of the window reached the second stream subscriber once.
    expect(r.stream.n).toBeGreaterThan(r.entriesPerSecond * 1.5 * 0.8);
    expect(r.stream.n).toBeLessThan(r.entriesPerSecond * 1.5 * 1.2);
    expect(r.signal.n).toBeGreaterThan(0);
    expect(r.signal.n).toBe(Object.values(r.signalsByStrategy).reduce((a, b) => a + b, 0));
    expect(Object.keys(r.signalsByStrategy)).toContain('indicative-deviation');
    expect(r.signal.p50).not.toBeNull();
    expect(r.signal.p50!).toBeGreaterThanOrEqual(0);
    expect(r.wantedPairs).toBeGreaterThanOrEqual(400);
  });
  it('rss: samples every interval, minute 1 scaled down to the settle time', async () => {
    const r = await benchDaemonRss({ tradesPerSecond: 1_000, durationMs: 2_000, sampleEveryMs: 400, settleMs: 1_000 });
    expect(r.samples.length).toBeGreaterThanOrEqual(5);
    expect(r.settledSamples).toBeGreaterThanOrEqual(2);
    expect(r.rssEnd).toBe(r.samples[r.samples.length - 1]!.rss);
    expect(r.rssEnd).toBeGreaterThan(20e6);
    expect(Number.isFinite(r.heapSlopePerMinute)).toBe(true);
    expect(r.entriesPerSecond).toBeGreaterThan(300);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusAdapter, BusEnvelope } from '../../../src/core/ports/bus.js';

/** What every BusAdapter must do, run against a real server. `make` gets a fresh adapter; `down`/`up` stop and restart the server empty. */
export interface BusContractTarget {
  make(): BusAdapter;
  down(): Promise<void>;
  up(): Promise<void>;
  /** A raw command from another client, as a separate consumer process would send it. */
  raw(args: string[]): Promise<unknown>;
}

const envelope = (seq: number, extra: Partial<BusEnvelope> = {}): BusEnvelope => ({
  topic: 'kiwoom.realtime.0B',
  kind: 'trade',
  venue: 'KRX',
  tsEvent: 1_767_225_600_000 + seq,
  tsRecv: 1_767_225_600_005 + seq,
  seq,
  origin: 'node-a',
  payload: JSON.stringify({ kind: 'trade', symbol: '005930', price: 70_000 + seq }),
  ...extra,
});

/** Waits (on real time: the server is a real process) until the adapter reports a connection. */
async function connected(bus: BusAdapter): Promise<void> {
  for (let i = 0; i < 200 && !bus.status().connected; i++) await new Promise((r) => setTimeout(r, 25));
  expect(bus.status().connected).toBe(true);
}

export function busContract(name: string, target: BusContractTarget): void {
  describe(`BusAdapter contract: ${name}`, () => {
    let bus: BusAdapter;
    beforeAll(async () => {
      bus = target.make();
      await connected(bus);
    });
    afterAll(async () => {
      await bus.close();
    });

    it('appends envelopes in order and reads them back field for field, after a cursor', async () => {
      const ids = await bus.append('t:order', [envelope(1), envelope(2), envelope(3, { venue: 'NXT' })], 1000);
      expect(ids).toHaveLength(3);
      const all = await bus.read('t:order', '0-0', 10, 0);
      expect(all.map((e) => e.envelope)).toEqual([envelope(1), envelope(2), envelope(3, { venue: 'NXT' })]);
      expect(all.map((e) => e.entryId)).toEqual(ids);
      const after = await bus.read('t:order', ids[0] as string, 10, 0);
      expect(after.map((e) => e.envelope.seq)).toEqual([2, 3]);
      expect(await bus.read('t:order', ids[2] as string, 10, 0)).toEqual([]);
    });

    it('trims to about maxLen', async () => {
      for (let i = 0; i < 30; i++) await bus.append('t:trim', Array.from({ length: 100 }, (_, j) => envelope(i * 100 + j)), 200);
      const length = await bus.length('t:trim');
      expect(length).toBeGreaterThanOrEqual(200);
      expect(length).toBeLessThan(400);
    });

    it('appendOnce appends each id once within the window, the id kept in the entry', async () => {
      const a = envelope(1, { kind: 'signal', id: 'aaaaaaaaaaaaaaaa' });
      const b = envelope(2, { kind: 'signal', id: 'bbbbbbbbbbbbbbbb' });
      expect(await bus.appendOnce('t:once', [a, b], 1000, 60_000)).toBe(2);
      expect(await bus.appendOnce('t:once', [b, a], 1000, 60_000)).toBe(0);
      const read = await bus.read('t:once', '0-0', 10, 0);
      expect(read.map((e) => e.envelope.id)).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    });

    it('reports consumer groups: pending (read, not acknowledged) and lag (not yet read)', async () => {
      expect(await bus.groups('t:nogroups')).toEqual([]);
      await bus.append('t:groups', [envelope(1), envelope(2), envelope(3)], 100);
      expect(await bus.groups('t:groups')).toEqual([]);
      // A reader outside the adapter (another process would do this) takes one entry without acking.
      await target.raw(['XGROUP', 'CREATE', 't:groups', 'g1', '0']);
      await target.raw(['XREADGROUP', 'GROUP', 'g1', 'c1', 'COUNT', '1', 'STREAMS', 't:groups', '>']);
      expect(await bus.groups('t:groups')).toEqual([{ name: 'g1', consumers: 1, pending: 1, lag: 2 }]);
    });

    it('a blocking read wakes for an entry appended after it started', async () => {
      const reading = bus.read('t:block', '$', 10, 5000);
      await new Promise((r) => setTimeout(r, 100));
      await bus.append('t:block', [envelope(7)], 100);
      const got = await reading;
      expect(got.map((e) => e.envelope.seq)).toEqual([7]);
    });

    it('rejects with E_BUS_UNAVAILABLE at once while the server is down, and works again once it is back (empty)', async () => {
      await target.down();
      await expect(bus.append('t:down', [envelope(1)], 100)).rejects.toMatchObject({ code: 'E_BUS_UNAVAILABLE' });
      await expect(bus.appendOnce('t:down', [envelope(1, { id: 'cccccccccccccccc' })], 100, 1000)).rejects.toMatchObject({ code: 'E_BUS_UNAVAILABLE' });
      expect(bus.status().connected).toBe(false);
      expect(bus.status().errors).toBeGreaterThanOrEqual(2);
      await target.up();
      await connected(bus);
      expect(await bus.length('t:order')).toBe(0);
      expect(await bus.append('t:down', [envelope(1)], 100)).toHaveLength(1);
    });
  });
}

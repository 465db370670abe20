import { describe, expect, it, vi } from 'vitest';
import { createChunkQueue } from '../../../src/adapters/recording/recording-chunk.js';

const frame = Buffer.alloc(600, 0x61);

describe('recording chunk memory reuse', () => {
  it('reuses a full-size data buffer the worker handed back, and ignores small ones', () => {
    const queue = createChunkQueue(4);
    for (let i = 0; i < 4; i++) queue.add(i, 0, frame);
    const [full] = queue.take();
    const handedBack = full!.data.buffer as ArrayBuffer;
    queue.recycle([new ArrayBuffer(16), handedBack]);
    for (let i = 0; i < 4; i++) queue.add(i, 0, frame);
    const [next] = queue.take();
    expect(next!.data.buffer).toBe(handedBack);
    expect(next!.count).toBe(4);
    expect(Buffer.from(next!.data).subarray(0, 600).equals(frame)).toBe(true);
  });

  it("keeps a timer's mostly empty chunk's buffer for the next chunk instead of allocating one per hand-over", () => {
    const queue = createChunkQueue(512);
    const allocations = vi.spyOn(Buffer, 'allocUnsafeSlow');
    try {
      // The recorder hands over every 250 ms: at a quiet feed each chunk holds a few frames.
      for (let round = 0; round < 100; round++) {
        queue.add(round, 0, frame);
        const [chunk] = queue.take();
        expect(chunk!.count).toBe(1);
        expect(Buffer.from(chunk!.data).equals(frame)).toBe(true);
        expect(chunk!.data.byteLength).toBe(600); // copied to its size: the 512 KiB buffer stays here
      }
      const big = allocations.mock.calls.filter(([n]) => n >= 512 * 1024).length;
      expect(big).toBe(1);
    } finally {
      allocations.mockRestore();
    }
  });
});

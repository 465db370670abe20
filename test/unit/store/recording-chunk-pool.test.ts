import { describe, expect, it } from 'vitest';
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
});

/** Kinds of broken frames the fault API can inject. */
export const MALFORMED_KINDS = ['truncated-json', 'wrong-types', 'unknown-fids', 'unknown-type', 'invalid-utf8', 'invalid-utf8-binary', 'non-object'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

export function isMalformedKind(k: unknown): k is MalformedKind {
  return typeof k === 'string' && (MALFORMED_KINDS as readonly string[]).includes(k);
}

/** One broken frame of a kind; `item` is a registered item so the frame looks plausible. */
export function malformedFrame(kind: MalformedKind, item: string, seq: number): string | { data: Buffer; binary: boolean } {
  switch (kind) {
    case 'truncated-json':
      return `{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"${item}","values":{"20":"0900`;
    case 'wrong-types':
      return `{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":${Number(item.slice(0, 6)) || 5930},"values":{"10":86800,"15":null,"20":[${seq}]}}]}`;
    case 'unknown-fids':
      return `{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"${item}","values":{"99901":"x","99902":"+${seq}","abc":"?"}}]}`;
    case 'unknown-type':
      return `{"trnm":"REAL","data":[{"type":"0Z","name":"알수없음","item":"${item}","values":{"10":"+1000"}}]}`;
    case 'invalid-utf8':
      // A text frame whose payload is not UTF-8: a conforming client fails the connection (1007).
      return { data: Buffer.from([0x7b, 0x22, 0x74, 0xff, 0xfe, 0xc3, 0x28, 0x7d]), binary: false };
    case 'invalid-utf8-binary':
      return { data: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x7d]), binary: true };
    case 'non-object':
      return seq % 2 === 0 ? `[1,2,3]` : `"REAL"`;
  }
}

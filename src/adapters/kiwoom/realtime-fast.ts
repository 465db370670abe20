import { isUtf8 } from 'node:buffer';
import type { Exchange, RealtimeEvent } from '../../core/market.js';
import { RULES_BY_TYPE, SLOT_FIDS, type FidParse, type FidRule } from './realtime-fids.js';
import { buildIndicative, buildTrade, SESSION_CODE_MAX, slotsAcceptable, symbolOf, venueOfItem } from './realtime-decoder.js';

/**
 * The byte decoder of REAL frames (issue 21): reads a frame straight from the socket's Buffer, without
 * building the UTF-16 string or the object tree. It takes only what it recognises with certainty:
 *
 *   {"trnm":"REAL","data":[{"type":"0B","name":"...","item":"005930","values":{"10":"+68100",...}},...]}
 *
 * with JSON whitespace anywhere between tokens, keys in any order, string values only, no escapes, no
 * control characters, valid UTF-8, no duplicate key that a decoder reads, a type with a table in
 * realtime-fids.ts, and every entry acceptable to that table (required FIDs readable, values in range).
 * For anything else it answers FALLBACK and the caller runs the reference path (JSON.parse +
 * realtime-decoder.ts), which also produces every error. So the fast path never reports an error, and
 * correctness never depends on it: a differential property test holds the two paths equal.
 */
export const FALLBACK = null;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** FID number -> slot (SLOT_FIDS order), -1 for a FID no table reads. */
const FID_SLOT = new Int8Array(10_000).fill(-1);
for (let i = 0; i < SLOT_FIDS.length; i++) FID_SLOT[Number(SLOT_FIDS[i])] = i;
const SLOT_COUNT = SLOT_FIDS.length;
const SLOT_15 = SLOT_FIDS.indexOf('15');
/** The text FIDs of 0B (no numeric parse): their positions are filed after the numeric slots. */
const TEXT_9081 = SLOT_COUNT;
const TEXT_290 = SLOT_COUNT + 1;
const POSITION_COUNT = SLOT_COUNT + 2;
FID_SLOT[9081] = TEXT_9081;
FID_SLOT[290] = TEXT_290;
/** One-character FID 290 codes as strings, made once (the common case is "2"). */
const ASCII_CHARS = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

/** The types with a table, by their two wire bytes. */
const TYPE_0B = 0x30 * 256 + 0x42;
const TYPE_0A = 0x30 * 256 + 0x41;
const TRADE_RULES = RULES_BY_TYPE['0B']!;
const INDICATIVE_RULES = RULES_BY_TYPE['0A']!;

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** The entry keys the decoder reads; any other key's string value is skipped. */
const KEY_OTHER = 0;
const KEY_TYPE = 1;
const KEY_ITEM = 2;
const KEY_VALUES = 3;

/** Per-call scratch (the decoder is synchronous and never re-entered while a frame is scanned). */
const starts = new Int32Array(POSITION_COUNT);
const ends = new Int32Array(POSITION_COUNT);
const slots = new Float64Array(SLOT_COUNT);

interface ItemInfo {
  readonly bytes: Uint8Array;
  readonly symbol: string;
  readonly venue: Exchange;
}
/** Items seen lately, by a hash of their bytes: the strings are made once per item, not per entry. */
const items = new Map<number, ItemInfo>();
const ITEMS_MAX = 8_192;
/** Codes are 6-9 bytes (`005930_NX`); anything long is left to the reference path. */
const ITEM_MAX_BYTES = 32;

/** Scanner state: a position in the buffer, or -1 once the frame is beyond what we recognise. */
let buf: Uint8Array = new Uint8Array(0); // set per frame by scanFrame
let pos = 0;
let end = 0;
let highBytes = false;

/**
 * The events of one REAL frame, or FALLBACK. `tsRecv`/`dayStart` as for decodeEntry. Never throws on
 * any input (a scan out of bounds reads `undefined` and falls back).
 */
export function decodeRealFast(data: Uint8Array, tsRecv: number, dayStart: number): RealtimeEvent[] | null {
  try {
    return scanFrame(data, tsRecv, dayStart);
  } finally {
    buf = EMPTY; // never keep the last frame alive
  }
}

const EMPTY = new Uint8Array(0);

function scanFrame(data: Uint8Array, tsRecv: number, dayStart: number): RealtimeEvent[] | null {
  buf = data;
  pos = 0;
  end = data.length;
  highBytes = false;
  const out: RealtimeEvent[] = [];
  let sawTrnm = false;
  let sawData = false;
  skipWs();
  if (buf[pos] !== LBRACE) return FALLBACK;
  pos++;
  skipWs();
  if (buf[pos] === RBRACE) return FALLBACK;
  for (;;) {
    const k0 = readString();
    if (k0 < 0) return FALLBACK;
    const k1 = pos - 1;
    if (!colon()) return FALLBACK;
    if (isKey(k0, k1, 'trnm')) {
      if (sawTrnm) return FALLBACK;
      sawTrnm = true;
      const v0 = readString();
      // Only REAL frames are ours; control frames are rare and go the reference way.
      if (v0 < 0 || !isKey(v0, pos - 1, 'REAL')) return FALLBACK;
    } else if (isKey(k0, k1, 'data')) {
      if (sawData) return FALLBACK;
      sawData = true;
      if (!readData(out, tsRecv, dayStart)) return FALLBACK;
    } else if (readString() < 0) return FALLBACK;
    skipWs();
    const c = buf[pos];
    if (c === COMMA) {
      pos++;
      skipWs();
      continue;
    }
    if (c !== RBRACE) return FALLBACK;
    pos++;
    break;
  }
  skipWs();
  if (pos !== end || !sawTrnm || !sawData) return FALLBACK;
  // Multi-byte characters (the entries' Korean `name`) are valid only if the whole frame is.
  if (highBytes && !isUtf8(data)) return FALLBACK;
  return out;
}

function skipWs(): void {
  let c = buf[pos];
  while (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09) c = buf[++pos];
}

/** After a key: optional whitespace, a colon, optional whitespace. */
function colon(): boolean {
  skipWs();
  if (buf[pos] !== COLON) return false;
  pos++;
  skipWs();
  return true;
}

/**
 * A string without escapes or control characters: returns the index of its first byte and leaves `pos`
 * one past the closing quote (so the content is [start, pos - 1)); -1 if it is anything else.
 */
function readString(): number {
  if (buf[pos] !== QUOTE) return -1;
  const start = ++pos;
  for (;;) {
    const c = buf[pos];
    if (c === QUOTE) {
      pos++;
      return start;
    }
    if (c === undefined || c < 0x20 || c === BACKSLASH) return -1;
    if (c >= 0x80) highBytes = true;
    pos++;
  }
}

function isKey(start: number, stop: number, word: string): boolean {
  if (stop - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (buf[start + i] !== word.charCodeAt(i)) return false;
  return true;
}

/** `[entry, ...]` */
function readData(out: RealtimeEvent[], tsRecv: number, dayStart: number): boolean {
  if (buf[pos] !== LBRACKET) return false;
  pos++;
  skipWs();
  if (buf[pos] === RBRACKET) {
    pos++;
    return true;
  }
  for (;;) {
    const e = readEntry(tsRecv, dayStart);
    if (e === null) return false;
    out.push(e);
    skipWs();
    const c = buf[pos];
    if (c === COMMA) {
      pos++;
      skipWs();
      continue;
    }
    if (c !== RBRACKET) return false;
    pos++;
    return true;
  }
}

function entryKey(start: number, stop: number): number {
  const n = stop - start;
  if (n === 4) {
    if (isKey(start, stop, 'type')) return KEY_TYPE;
    if (isKey(start, stop, 'item')) return KEY_ITEM;
  } else if (n === 6 && isKey(start, stop, 'values')) return KEY_VALUES;
  return KEY_OTHER;
}

/** One entry `{"type":..,"name":..,"item":..,"values":{..}}`, keys in any order; null to fall back. */
function readEntry(tsRecv: number, dayStart: number): RealtimeEvent | null {
  if (buf[pos] !== LBRACE) return null;
  pos++;
  skipWs();
  let type = -1;
  let itemStart = -1;
  let itemEnd = -1;
  let sawValues = false;
  for (let i = 0; i < POSITION_COUNT; i++) starts[i] = -1;
  if (buf[pos] === RBRACE) return null;
  for (;;) {
    const k0 = readString();
    if (k0 < 0) return null;
    const key = entryKey(k0, pos - 1);
    if (!colon()) return null;
    if (key === KEY_VALUES) {
      if (sawValues || !readValues()) return null;
      sawValues = true;
    } else {
      const v0 = readString();
      if (v0 < 0) return null;
      if (key === KEY_TYPE) {
        if (type !== -1 || pos - 1 - v0 !== 2) return null;
        type = buf[v0]! * 256 + buf[v0 + 1]!;
        // A type without a byte table (0D, 0w, 1h, 0g, ...): fall back now, not after scanning its values.
        if (type !== TYPE_0B && type !== TYPE_0A) return null;
      } else if (key === KEY_ITEM) {
        if (itemStart !== -1) return null;
        itemStart = v0;
        itemEnd = pos - 1;
      }
    }
    skipWs();
    const c = buf[pos];
    if (c === COMMA) {
      pos++;
      skipWs();
      continue;
    }
    if (c !== RBRACE) return null;
    pos++;
    break;
  }
  if (!sawValues || itemEnd <= itemStart) return null;
  const rules = type === TYPE_0B ? TRADE_RULES : type === TYPE_0A ? INDICATIVE_RULES : undefined;
  if (rules === undefined) return null;
  if (!parseSlots(rules)) return null;
  const info = itemInfo(itemStart, itemEnd);
  if (info === null) return null;
  return type === TYPE_0B
    ? buildTrade(info.symbol, info.venue, slots, sideAt(starts[SLOT_15]!, ends[SLOT_15]!), tradeVenueAt(starts[TEXT_9081]!, ends[TEXT_9081]!), sessionCodeAt(starts[TEXT_290]!, ends[TEXT_290]!), tsRecv, dayStart)
    : buildIndicative(info.symbol, info.venue, slots, tsRecv);
}

/**
 * `{"10":"+68100",...}`: all-digit keys, string values; the read FIDs' positions filed by slot. The
 * hottest loop (40-odd pairs an entry), so it keeps the buffer and position in locals.
 */
function readValues(): boolean {
  const b = buf;
  let p = pos;
  if (b[p] !== LBRACE) return false;
  p++;
  let c = b[p];
  while (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
  if (c === RBRACE) {
    pos = p + 1;
    return true;
  }
  for (;;) {
    if (c !== QUOTE) return false;
    c = b[++p];
    let fid = 0;
    let digits = 0;
    while (c !== QUOTE) {
      if (c === undefined || c < ZERO || c > NINE) return false;
      fid = fid * 10 + (c - ZERO);
      digits++;
      c = b[++p];
    }
    // "010" is not "10" (JSON keys are compared as text); FIDs have at most four digits.
    const slot = digits === 0 || digits > 4 || (digits > 1 && b[p - digits] === ZERO) ? -1 : FID_SLOT[fid]!;
    c = b[++p];
    while (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    if (c !== COLON) return false;
    c = b[++p];
    while (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    if (c !== QUOTE) return false;
    const v0 = p + 1;
    c = b[++p];
    while (c !== QUOTE) {
      if (c === undefined || c < 0x20 || c === BACKSLASH) return false;
      if (c >= 0x80) highBytes = true;
      c = b[++p];
    }
    if (slot >= 0) {
      // A duplicate read FID: JSON.parse keeps the last; we do not guess.
      if (starts[slot] !== -1) return false;
      starts[slot] = v0;
      ends[slot] = p;
    }
    c = b[++p];
    while (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    if (c === COMMA) {
      c = b[++p];
      while (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
      continue;
    }
    if (c !== RBRACE) return false;
    pos = p + 1;
    return true;
  }
}

/** Parses the table's FIDs into `slots` (NaN when absent or unreadable) and applies the shared rules. */
function parseSlots(rules: readonly FidRule[]): boolean {
  slots.fill(NaN);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const s = starts[r.slot]!;
    if (s >= 0) slots[r.slot] = parseAt(r.parse, s, ends[r.slot]!);
  }
  return slotsAcceptable(rules, slots);
}

function parseAt(kind: FidParse, s: number, e: number): number {
  switch (kind) {
    case 'price': {
      const v = decimalAt(s, e, false);
      return v < 0 ? -v : v;
    }
    case 'signed':
      return decimalAt(s, e, false);
    case 'rate':
      return decimalAt(s, e, true);
    case 'sign': {
      const v = decimalAt(s, e, false);
      return v >= 1 && v <= 5 ? v : NaN;
    }
    case 'time':
      return hhmmssAt(s, e);
  }
}

/** values.ts parseDecimal over bytes [s, e): the same rules, the same arithmetic, the same results. */
function decimalAt(s: number, e: number, allowDot: boolean): number {
  let i = s;
  while (i < e && buf[i] === SPACE) i++;
  while (e > i && buf[e - 1] === SPACE) e--;
  if (i === e) return NaN;
  let neg = false;
  const c0 = buf[i];
  if (c0 === PLUS) i++;
  else if (c0 === MINUS) {
    neg = true;
    i++;
    if (buf[i] === MINUS && i < e) i++;
  }
  let value = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < e; i++) {
    const c = buf[i]!;
    if (c >= ZERO && c <= NINE) {
      value = value * 10 + (c - ZERO);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === DOT && allowDot && decimals < 0) {
      decimals = 0;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || decimals > 15 || value === Infinity) return NaN;
  if (decimals > 0) value = value / (POW10[decimals] as number);
  return neg && value !== 0 ? -value : value;
}

/** values.ts parseHhmmss over bytes. */
function hhmmssAt(s: number, e: number): number {
  while (s < e && buf[s] === SPACE) s++;
  while (e > s && buf[e - 1] === SPACE) e--;
  if (e - s !== 6) return NaN;
  const h = twoDigitsAt(s);
  const m = twoDigitsAt(s + 2);
  const sec = twoDigitsAt(s + 4);
  if (!(h <= 23 && m <= 59 && sec <= 59)) return NaN;
  return h * 3600 + m * 60 + sec;
}

function twoDigitsAt(i: number): number {
  const a = buf[i]! - ZERO;
  const b = buf[i + 1]! - ZERO;
  if (a < 0 || a > 9 || b < 0 || b > 9) return NaN;
  return a * 10 + b;
}

/** realtime-decoder.ts sideOf over bytes (FID 15 is required, so present here). */
function sideAt(s: number, e: number): 'buy' | 'sell' | 'unknown' {
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === PLUS) return 'buy';
    if (c === MINUS) return 'sell';
    if (c !== SPACE) return 'unknown';
  }
  return 'unknown';
}

/** realtime-decoder.ts tradeVenueOf over bytes [s, e); s < 0 = absent. */
function tradeVenueAt(s: number, e: number): 'KRX' | 'NXT' | null {
  if (s < 0) return null;
  while (s < e && buf[s] === SPACE) s++;
  while (e > s && buf[e - 1] === SPACE) e--;
  if (e - s !== 3) return null;
  const a = buf[s];
  const b = buf[s + 1];
  const c = buf[s + 2];
  if (a === 0x4b && b === 0x52 && c === 0x58) return 'KRX';
  if (a === 0x4e && b === 0x58 && c === 0x54) return 'NXT';
  return null;
}

/** realtime-decoder.ts sessionCodeOf over bytes [s, e); s < 0 = absent. */
function sessionCodeAt(s: number, e: number): string {
  if (s < 0) return '';
  while (s < e && buf[s] === SPACE) s++;
  while (e > s && buf[e - 1] === SPACE) e--;
  const n = e - s;
  if (n === 0 || n > SESSION_CODE_MAX) return '';
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c < 0x21 || c > 0x7e) return '';
  }
  if (n === 1) return ASCII_CHARS[buf[s]!]!;
  return String.fromCharCode(...buf.subarray(s, e));
}

/** The item's symbol and venue, made once per distinct item; null for a non-ASCII item (reference path). */
function itemInfo(s: number, e: number): ItemInfo | null {
  let h = e - s;
  if (h > ITEM_MAX_BYTES) return null;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return null;
    h = (Math.imul(h, 31) + c) | 0;
  }
  const known = items.get(h);
  if (known !== undefined && sameBytes(known.bytes, s, e)) return known;
  if (items.size >= ITEMS_MAX) items.clear();
  // A copy: Buffer#slice is a view, and the socket's and replay's buffers are reused.
  const bytes = Uint8Array.from(buf.subarray(s, e));
  const item = String.fromCharCode(...bytes);
  const info: ItemInfo = { bytes, symbol: symbolOf(item), venue: venueOfItem(item) };
  items.set(h, info);
  return info;
}

function sameBytes(bytes: Uint8Array, s: number, e: number): boolean {
  if (bytes.length !== e - s) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== buf[s + i]) return false;
  return true;
}

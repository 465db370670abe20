import { formatKstDashed } from '../../core/kst.js';
import type { Signal, SignalKind } from '../../core/signal.js';
import type { MessageContext, NotifyItem } from './types.js';

/**
 * Messages people read on a phone: one compact block per signal (kind, stock name and code, venue,
 * price, the strategy's reason, KST time, session phase), Korean by default. Several items due at
 * once become one message with a line each. Every item carries its id, so a receiver can dedupe.
 */
export type Escape = (text: string) => string;

const KIND_LABEL: Record<'ko' | 'en', Record<SignalKind, string>> = {
  ko: { BUY: '매수', SELL: '매도', EXIT: '청산', ALERT: '알림' },
  en: { BUY: 'BUY', SELL: 'SELL', EXIT: 'EXIT', ALERT: 'ALERT' },
};
const KIND_MARK: Record<SignalKind, string> = { BUY: '🟢', SELL: '🔴', EXIT: '⚪', ALERT: '🔔' };

const WORDS = {
  ko: { price: '가격', reason: '사유', time: '시각', replay: '[리플레이]', signals: (n: number) => `신호 ${n}건`, raised: '⚠️ 경보', cleared: '✅ 해소', digest: '일일 요약', strategy: '전략', top: '상위 종목', faults: '경보', uptime: '가동', none: '없음', won: '원' },
  en: { price: 'price', reason: 'reason', time: 'time', replay: '[REPLAY]', signals: (n: number) => `${n} signals`, raised: '⚠️ ALERT', cleared: '✅ CLEARED', digest: 'Daily digest', strategy: 'strategies', top: 'top symbols', faults: 'alerts', uptime: 'uptime', none: 'none', won: ' KRW' },
} as const;

/** The strategy's reason: `details.reason` when it has one, else a few of its fields. */
export function reasonOf(details: Readonly<Record<string, unknown>>): string {
  if (typeof details['reason'] === 'string' && details['reason'].length > 0) return bounded(details['reason'], 160);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(details)) {
    if (k === 'name' || k === 'stockName' || k === 'phase') continue;
    if (typeof v === 'number') parts.push(`${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`);
    else if (typeof v === 'string' || typeof v === 'boolean') parts.push(`${k}=${bounded(String(v), 40)}`);
    if (parts.length === 4) break;
  }
  return parts.join(', ');
}

function nameOf(signal: Signal, ctx: MessageContext): string | undefined {
  const d = signal.details;
  const fromDetails = typeof d['name'] === 'string' ? d['name'] : typeof d['stockName'] === 'string' ? d['stockName'] : undefined;
  return fromDetails ?? ctx.nameOf?.(signal.symbol);
}

const PHASE_LABEL: Record<'ko' | 'en', Readonly<Record<string, string>>> = {
  ko: { regular: '정규장', 'pre-market': '장전', 'after-hours': '장후', closed: '장 마감' },
  en: { regular: 'regular session', 'pre-market': 'pre-market', 'after-hours': 'after hours', closed: 'closed' },
};

function phaseOf(signal: Signal, ctx: MessageContext): string | undefined {
  const d = signal.details;
  const phase = typeof d['phase'] === 'string' ? d['phase'] : ctx.phaseOf?.(signal.tsEvent);
  return phase === undefined ? undefined : (PHASE_LABEL[ctx.language][phase] ?? bounded(phase, 20));
}

function price(p: number | null, lang: 'ko' | 'en'): string {
  if (p === null) return '-';
  return `${p.toLocaleString('en-US', { maximumFractionDigits: 2 })}${WORDS[lang].won}`;
}

function stock(signal: Signal, ctx: MessageContext): string {
  const name = nameOf(signal, ctx);
  const code = signal.symbol; // six digits: the venue travels beside it (signal.venue)
  return name ? `${name} (${code})` : code;
}

/** The full block for one item. */
export function renderOne(item: NotifyItem, ctx: MessageContext, esc: Escape): string {
  const w = WORDS[ctx.language];
  const replay = item.replay ? `${w.replay} ` : '';
  if (item.kind === 'signal') {
    const s = item.signal;
    const phase = phaseOf(s, ctx);
    const reason = reasonOf(s.details);
    const lines = [
      `${replay}${KIND_MARK[s.kind]} ${KIND_LABEL[ctx.language][s.kind]} · ${stock(s, ctx)} · ${s.venue}`,
      `${w.price} ${price(s.price, ctx.language)} · ${s.strategy}`,
      ...(reason ? [`${w.reason}: ${reason}`] : []),
      `${w.time} ${formatKstDashed(s.tsEvent)} KST${phase ? ` · ${phase}` : ''}`,
      `id ${item.id}`,
    ];
    return esc(lines.join('\n'));
  }
  if (item.kind === 'alert') {
    const a = item.alert;
    return esc(`${replay}${a.state === 'raised' ? w.raised : w.cleared}: ${a.condition}\n${bounded(a.detail, 300)}\n${w.time} ${formatKstDashed(a.at)} KST\nid ${item.id}`);
  }
  const d = item.digest;
  const strategies = Object.entries(d.byStrategy).map(([k, n]) => `${k} ${n}`).join(', ') || w.none;
  const top = d.topSymbols.map(([s, n]) => `${s} ${n}`).join(', ') || w.none;
  const hours = (d.uptimeMs / 3_600_000).toFixed(1);
  return esc(`${replay}📊 ${w.digest} ${d.date}\n${w.signals(d.signals)} · ${w.strategy}: ${strategies}\n${w.top}: ${top}\n${w.faults} ${d.faults} · ${w.uptime} ${hours} h\nid ${item.id}`);
}

/** One line for a signal inside a batch. */
function renderLine(item: NotifyItem, ctx: MessageContext, esc: Escape): string {
  if (item.kind === 'alert') {
    const a = item.alert;
    const w = WORDS[ctx.language];
    return esc(`${a.state === 'raised' ? w.raised : w.cleared}: ${a.condition} · ${bounded(a.detail, 200)} [${item.id}]`);
  }
  // The digest keeps its block; its id moves to the `[id]` form every batch line ends with.
  if (item.kind === 'digest') return `${renderOne(item, ctx, esc).replace(/\nid \S+$/, '')} [${esc(item.id)}]`;
  const s = item.signal;
  const reason = reasonOf(s.details);
  const time = formatKstDashed(s.tsEvent).slice(11);
  return esc(`${KIND_MARK[s.kind]} ${KIND_LABEL[ctx.language][s.kind]} ${stock(s, ctx)} ${s.venue} ${price(s.price, ctx.language)} ${time} ${s.strategy}${reason ? ` · ${reason}` : ''} [${item.id}]`);
}

/**
 * As many items as fit `maxChars` (at least one, cut to fit): one item gets the full block, several
 * get a header and a line each.
 */
export function renderBatch(items: readonly NotifyItem[], ctx: MessageContext, maxChars: number, esc: Escape): { count: number; text: string } {
  const first = items[0];
  if (!first) return { count: 0, text: '' };
  if (items.length === 1) return { count: 1, text: cut(renderOne(first, ctx, esc), maxChars) };
  const w = WORDS[ctx.language];
  const replay = items.some((i) => i.replay) ? `${w.replay} ` : '';
  const lines: string[] = [];
  let length = 0;
  const headerFor = (n: number): string => esc(`${replay}${w.signals(n)}`);
  for (const item of items) {
    const line = renderLine(item, ctx, esc);
    // Room for the header (its count may grow a digit) and the newlines.
    if (lines.length > 0 && headerFor(lines.length + 1).length + 1 + length + line.length + 1 > maxChars) break;
    lines.push(line);
    length += line.length + 1;
  }
  if (lines.length === 1) return { count: 1, text: cut(renderOne(first, ctx, esc), maxChars) };
  return { count: lines.length, text: cut(`${headerFor(lines.length)}\n${lines.join('\n')}`, maxChars) };
}

function bounded(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const one = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export const noEscape: Escape = (t) => t;
/** Telegram HTML parse mode and Slack mrkdwn both need &, < and > escaped. */
export const escapeHtml: Escape = (t) => t.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

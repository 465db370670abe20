import type { SimFaults } from './faults.js';
import type { JsonReply } from './http-util.js';
import { isMalformedKind } from './malformed.js';
import { TOKEN_REJECT_FORMS } from './token-reject.js';

export const CONTROL_PREFIX = '/_sim/';

const okReply = (body: unknown = { ok: true }): JsonReply => ({ status: 200, body });
const bad = (msg: string): JsonReply => ({ status: 400, body: { ok: false, error: msg } });

/** Sets become arrays and Maps objects, so registrations read back as JSON. */
function toJson(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(toJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The fault API over HTTP (JSON in, JSON out). Routes:
 * GET counters | registrations | stats | watchlists | program-ranking?market=P00101&n=50;
 * POST ws/drop {mode} | ws/silence {silent} | ws/malformed {kind,count} | ws/frames {frames: string[]} | tokens/expire {broker} | tokens/reject-form {form} |
 * rate-limits {kiwoomPerSecond,kisPerSecond} | rest-delay {ms} | fail-path {path,status,count} |
 * fail-path/clear {path} | trades-per-second {tradesPerSecond} | indicative-per-hour {indicativePerHour} |
 * keys/disable {appkey} | keys/enable {appkey};
 * PUT watchlists/<code> {stocks,name}; DELETE watchlists/<code>.
 */
export function handleControl(faults: SimFaults, method: string, route: string, query: URLSearchParams, body: Record<string, unknown>): JsonReply {
  const key = `${method} ${route}`;
  switch (key) {
    case 'GET counters':
      return okReply(faults.counters());
    case 'GET registrations':
      return okReply(toJson(faults.registrations()));
    case 'GET stats':
      return okReply(faults.feedStats());
    case 'GET watchlists':
      return okReply(faults.watchlists());
    case 'GET program-ranking': {
      const market = query.get('market') ?? 'P00101';
      if (market !== 'P00101' && market !== 'P10102') return bad('market must be P00101 or P10102');
      return okReply(faults.programRanking(market, Number(query.get('n') ?? 50) || 50));
    }
    case 'POST ws/drop':
      return okReply({ ok: true, dropped: faults.dropConnections(body.mode === 'terminate' ? 'terminate' : 'close') });
    case 'POST ws/silence':
      faults.setSilent(body.silent !== false);
      return okReply();
    case 'POST ws/malformed': {
      if (!isMalformedKind(body.kind)) return bad('unknown malformed kind');
      return okReply({ ok: true, sent: faults.sendMalformed(body.kind, num(body.count) ?? 1) });
    }
    case 'POST ws/frames': {
      // Crafted frames (e.g. a 0s the market would not send): at most 100 text frames of 64 KiB each.
      const frames = body.frames;
      if (!Array.isArray(frames) || frames.length > 100 || !frames.every((f) => typeof f === 'string' && f.length <= 65_536)) return bad('frames must be up to 100 strings of up to 65536 characters');
      return okReply({ ok: true, sent: faults.sendFrames(frames as string[]) });
    }
    case 'POST tokens/expire': {
      const broker = body.broker === 'kiwoom' || body.broker === 'kis' ? body.broker : 'all';
      return okReply({ ok: true, expired: faults.expireTokens(broker) });
    }
    case 'POST keys/disable':
    case 'POST keys/enable': {
      if (typeof body.appkey !== 'string' || body.appkey === '' || body.appkey.length > 200) return bad('appkey must be a non-empty string');
      if (key === 'POST keys/enable') {
        faults.enableKiwoomKey(body.appkey);
        return okReply();
      }
      return okReply({ ok: true, dropped: faults.disableKiwoomKey(body.appkey) });
    }
    case 'POST rate-limits': {
      const limits: { kiwoomPerSecond?: number; kisPerSecond?: number } = {};
      const k = num(body.kiwoomPerSecond);
      const s = num(body.kisPerSecond);
      if (k !== undefined) limits.kiwoomPerSecond = k;
      if (s !== undefined) limits.kisPerSecond = s;
      faults.setRateLimits(limits);
      return okReply();
    }
    case 'POST rest-delay':
      faults.setRestDelay(num(body.ms) ?? 0);
      return okReply();
    case 'POST fail-path': {
      if (typeof body.path !== 'string' || body.path === '') return bad('path required');
      const options: { status?: number; count?: number } = {};
      const status = num(body.status);
      const count = num(body.count);
      if (status !== undefined) options.status = status;
      if (count !== undefined) options.count = count;
      faults.failPath(body.path, options);
      return okReply();
    }
    case 'POST fail-path/clear':
      faults.clearFailures(typeof body.path === 'string' ? body.path : undefined);
      return okReply();
    case 'POST trades-per-second':
      faults.setTradesPerSecond(num(body.tradesPerSecond) ?? 0);
      return okReply();
    case 'POST tokens/reject-form': {
      const form = TOKEN_REJECT_FORMS.find((f) => f === body.form);
      if (form === undefined) return { status: 400, body: { error: `form must be one of ${TOKEN_REJECT_FORMS.join(', ')}` } };
      faults.setTokenRejectForm(form);
      return okReply();
    }
    case 'POST indicative-per-hour':
      faults.setIndicativePerHour(num(body.indicativePerHour) ?? 0);
      return okReply();
    default:
      break;
  }
  const wl = /^watchlists\/(\d{1,3})$/.exec(route);
  if (wl !== null) {
    const code = wl[1] ?? '';
    if (method === 'DELETE') return okReply({ ok: faults.removeWatchlistGroup(code) });
    if (method === 'PUT' || method === 'POST') {
      const stocks = body.stocks;
      if (!Array.isArray(stocks) || !stocks.every((s) => typeof s === 'string')) return bad('stocks must be an array of codes');
      faults.setWatchlistGroup(code, stocks as string[], typeof body.name === 'string' ? body.name : undefined);
      return okReply();
    }
  }
  return { status: 404, body: { ok: false, error: `no route ${key}` } };
}

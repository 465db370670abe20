import { KIWOOM_TRS } from '../../adapters/kiwoom/api.js';
import { createKiwoomTokenIssuer } from '../../adapters/kiwoom/auth.js';
import { createKiwoomRest } from '../../adapters/kiwoom/rest-client.js';
import type { TrSpec } from '../../adapters/kiwoom/tr-spec.js';
import { createFileTokenCache } from '../../adapters/token-cache/file-token-cache.js';
import { dataLockHolder } from '../../app/data-lock.js';
import { isDefaultKey, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { systemClock } from '../../core/clock.js';
import { AuthError, UsageError } from '../../core/errors.js';
import { kstIsoDate } from '../../core/kst.js';
import type { LogSink } from '../../core/ports/log-sink.js';
import type { TokenSource } from '../../core/ports/token-source.js';
import { startSimulator } from '../../sim/index.js';
import { kiwoomKeyNames, simKiwoomKey } from '../../app/kiwoom-keys.js';
import type { CliIo, Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

interface Param {
  readonly name: string;
  readonly pattern: RegExp;
  /** The allowed values, as shown in help and errors. */
  readonly values: string;
}

type ApiId = keyof typeof KIWOOM_TRS;

const date = (name: string): Param => ({ name, pattern: /^\d{8}$/, values: 'YYYYMMDD' });
const STK_CD: Param = { name: 'stk_cd', pattern: /^\d{6}(_NX|_AL)?$/, values: '6-digit code, optional _NX (NXT) or _AL (통합)' };
const STEX_TP: Param = { name: 'stex_tp', pattern: /^[123]$/, values: '1 KRX | 2 NXT | 3 통합' };
const AMT_QTY_TP: Param = { name: 'amt_qty_tp', pattern: /^[12]$/, values: '1 금액 | 2 수량' };
const TRDE_TP: Param = { name: 'trde_tp', pattern: /^[012]$/, values: '0 순매수 | 1 매수 | 2 매도' };
const UNIT_TP: Param = { name: 'unit_tp', pattern: /^(1000|1)$/, values: '1000 천주 | 1 단주' };
const PROGRAM_MRKT_TP: Param = { name: 'mrkt_tp', pattern: /^(P00101|P10102)$/, values: 'P00101 코스피 | P10102 코스닥' };

/** Every seed TR with its request fields (protocol.md section 2), all required. */
export const QUERY_TRS: Readonly<Record<ApiId, { readonly name: string; readonly params: readonly Param[] }>> = {
  ka10001: { name: '주식기본정보요청', params: [STK_CD] },
  ka10058: {
    name: '투자자별일별매매종목요청',
    params: [
      date('strt_dt'),
      date('end_dt'),
      { name: 'trde_tp', pattern: /^[12]$/, values: '1 순매도 | 2 순매수' },
      { name: 'mrkt_tp', pattern: /^(001|101)$/, values: '001 코스피 | 101 코스닥' },
      { name: 'invsr_tp', pattern: /^(8000|9000|1000|3000|3100|5000|4000|2000|6000|7000|7100|9999)$/, values: '8000 개인 | 9000 외국인 | 1000 금융투자 | 3000 투신 | 3100 사모펀드 | 5000 기타금융 | 4000 은행 | 2000 보험 | 6000 연기금 | 7000 국가 | 7100 기타법인 | 9999 기관계' },
      STEX_TP,
    ],
  },
  ka10059: { name: '종목별투자자기관별요청', params: [date('dt'), STK_CD, AMT_QTY_TP, TRDE_TP, UNIT_TP] },
  ka10061: { name: '종목별투자자기관별합계요청', params: [STK_CD, date('strt_dt'), date('end_dt'), AMT_QTY_TP, TRDE_TP, UNIT_TP] },
  ka10066: { name: '장마감후투자자별매매요청', params: [{ name: 'mrkt_tp', pattern: /^(000|001|101)$/, values: '000 전체 | 001 코스피 | 101 코스닥' }, AMT_QTY_TP, TRDE_TP, STEX_TP] },
  ka10099: { name: '종목정보 리스트', params: [{ name: 'mrkt_tp', pattern: /^(0|10|30|50|60|70|80|90|2|3|4|5|6|7|8|9)$/, values: '0 코스피 | 10 코스닥 | 30 K-OTC | 50 코넥스 | 60 ETN | 70 손실제한ETN | 80 금현물 | 90 변동성ETN | 2 인프라투융자 | 3 ELW | 4 뮤추얼펀드 | 5 신주인수권 | 6 리츠 | 7 신주인수권증서 | 8 ETF | 9 하이일드펀드' }] },
  ka10100: { name: '종목정보 조회', params: [STK_CD] },
  ka10101: { name: '업종코드 리스트', params: [{ name: 'mrkt_tp', pattern: /^[01247]$/, values: '0 코스피 | 1 코스닥 | 2 KOSPI200 | 4 KOSPI100 | 7 KRX100' }] },
  ka20002: { name: '업종별주가요청', params: [{ name: 'mrkt_tp', pattern: /^[012]$/, values: '0 코스피 | 1 코스닥 | 2 코스피200' }, { name: 'inds_cd', pattern: /^\d{3}$/, values: '3-digit 업종 code (001 종합, 101 코스닥종합, 201 KOSPI200; see ka10101)' }, STEX_TP] },
  ka90003: { name: '프로그램순매수상위50요청', params: [{ name: 'trde_upper_tp', pattern: /^[12]$/, values: '1 순매도상위 | 2 순매수상위' }, AMT_QTY_TP, PROGRAM_MRKT_TP, STEX_TP] },
  ka90004: { name: '종목별프로그램매매현황요청', params: [date('dt'), PROGRAM_MRKT_TP, STEX_TP] },
};

const FORMATS = ['table', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/** Fields the codecs turn into epoch ms of a KST day; printed back as YYYY-MM-DD. */
const DATE_FIELDS = new Set(['dt', 'regDay', '250hgst_pric_dt', '250lwst_pric_dt']);

function trHelp(): string {
  return (Object.keys(QUERY_TRS) as ApiId[])
    .map((id) => {
      const tr = QUERY_TRS[id];
      return [`  ${id}  ${tr.name}`, ...tr.params.map((p) => `      ${p.name.padEnd(13)} ${p.values}`)].join('\n');
    })
    .join('\n');
}

export const queryCommand: Command = {
  name: 'query',
  summary: 'call one Kiwoom TR and print the decoded answer',
  usage: `Usage: krx-signals query <api-id> [--param key=value ...] [--format table|json|csv] [--pages N] [--config <file>]

Calls one TR against the configured hosts (the embedded simulator by default, the live hosts with
KIWOOM_APPKEY/KIWOOM_SECRETKEY) and prints the answer decoded by the daemon's own codecs: numbers as
numbers, rates as percent values, dates as YYYY-MM-DD, stock codes without the venue suffix plus a
\`venue\` field (KRX, NXT, SOR). Live, it reuses the token in the data directory's token cache; while a
daemon holds the data directory it never issues a token of its own (one live token per app key).

Options:
  -p, --param <k=v>    a request field (repeat for each); every field of the TR is required
  -f, --format <f>     table (default), json or csv
      --pages <N>      continuation pages to follow (default: kiwoom.maxPages)
  -k, --key <name>     which app key of kiwoom.keys to call with (default: the first; the unnamed
                       KIWOOM_APPKEY pair when kiwoom.keys is empty)
  -c, --config <file>  a config file instead of config/default.json
  -h, --help           show this help

TRs and their fields:
${trHelp()}

Example: krx-signals query ka90003 -p trde_upper_tp=2 -p amt_qty_tp=1 -p mrkt_tp=P00101 -p stex_tp=1`,
  options: {
    param: { type: 'string', short: 'p', multiple: true },
    format: { type: 'string', short: 'f' },
    pages: { type: 'string' },
    key: { type: 'string', short: 'k' },
    config: { type: 'string', short: 'c' },
  },
  maxPositionals: 1,
  run: async ({ values, positionals, io }) => {
    const apiId = parseApiId(positionals[0]);
    const params = parseParams(apiId, (values.param as string[] | undefined) ?? []);
    const format = parseFormat(values.format as string | undefined);
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    const pages = parsePages(values.pages as string | undefined, config.kiwoom.maxPages);
    const key = parseKey(values.key as string | undefined, config);
    const data = await callTr(config, apiId, params, pages, key, io);
    io.stdout.write(render(apiId, data, format));
    return EXIT.ok;
  },
};

function parseApiId(text: string | undefined): ApiId {
  const ids = Object.keys(QUERY_TRS) as ApiId[];
  const id = ids.find((i) => i === text);
  if (id === undefined) {
    throw new UsageError(`query: ${text === undefined ? 'missing <api-id>' : `unknown api-id ${JSON.stringify(text)}`}; one of ${ids.join(', ')} (see krx-signals query --help)`);
  }
  return id;
}

function expected(apiId: ApiId): string {
  return QUERY_TRS[apiId].params.map((p) => `${p.name} (${p.values})`).join('; ');
}

function parseParams(apiId: ApiId, raw: readonly string[]): Record<string, string> {
  const specs = QUERY_TRS[apiId].params;
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const item of raw) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : item;
    const value = eq > 0 ? item.slice(eq + 1) : '';
    const spec = specs.find((p) => p.name === key);
    if (eq <= 0) problems.push(`--param ${JSON.stringify(item)} is not key=value`);
    else if (spec === undefined) problems.push(`unknown field ${JSON.stringify(key)}`);
    else if (!spec.pattern.test(value)) problems.push(`${key}=${JSON.stringify(value)} is not one of: ${spec.values}`);
    else out[key] = value;
  }
  const missing = specs.filter((p) => out[p.name] === undefined && !raw.some((r) => r.startsWith(`${p.name}=`)));
  if (missing.length > 0) problems.push(`missing ${missing.map((p) => p.name).join(', ')}`);
  if (problems.length > 0) throw new UsageError(`query ${apiId}: ${problems.join('; ')}. Expected: ${expected(apiId)}`);
  return out;
}

function parseFormat(text: string | undefined): Format {
  if (text === undefined) return 'table';
  const f = FORMATS.find((x) => x === text);
  if (f === undefined) throw new UsageError(`query: --format expects ${FORMATS.join(', ')}; got ${JSON.stringify(text)}`);
  return f;
}

/** The app key to call with: a name of kiwoom.keys (the unnamed pair is `default`). */
function parseKey(text: string | undefined, config: Config): string {
  const names = kiwoomKeyNames(config);
  if (text === undefined) return names[0]!;
  if (!names.includes(text)) throw new UsageError(`query: --key ${JSON.stringify(text)} is not a configured app key; kiwoom.keys: ${names.join(', ')}`);
  return text;
}

function parsePages(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 1000) throw new UsageError(`query: --pages expects a whole number from 1 to 1000; got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Errors only, one line each: a one-shot command has no log file. */
function stderrLog(io: CliIo): LogSink {
  const none = (): void => undefined;
  return { debug: none, info: none, warn: none, error: (fields, msg) => void io.stderr.write(`krx-signals query: ${msg}${typeof fields.code === 'string' ? ` [${fields.code}]` : ''}\n`) };
}

async function callTr(config: Config, apiId: ApiId, params: Record<string, string>, pages: number, keyName: string, io: CliIo): Promise<Record<string, unknown>> {
  const clock = systemClock;
  // Sim mode: an embedded simulator of our own, as `start` does (on an ephemeral port, beside any daemon),
  // knowing the chosen key's simulator pair.
  const simKey = simKiwoomKey(keyName);
  const sim = config.mode === 'sim' ? await startSimulator({ seed: config.sim.seed, stocks: config.sim.stocks, tradesPerSecond: config.sim.tradesPerSecond, clock, kiwoomCredentials: [simKey] }) : undefined;
  const baseUrl = sim?.url ?? config.kiwoom.restUrl;
  const keys = sim ? simKey : isDefaultKey(keyName) ? config.credentials.kiwoom : (config.credentials.kiwoomKeys?.[keyName] ?? null);
  if (keys === null) throw new UsageError(`query: live mode needs ${isDefaultKey(keyName) ? 'KIWOOM_APPKEY and KIWOOM_SECRETKEY' : `the credentials of kiwoom.keys "${keyName}"`} in the environment`);
  const issuer = createKiwoomTokenIssuer({ baseUrl, appkey: keys.appkey, secretkey: keys.secretkey, clock, requestTimeoutMs: config.kiwoom.requestTimeoutMs });
  const tokens = sim ? issuingTokens(issuer) : cachedTokens(config, baseUrl, keys.appkey, issuer);
  const rest = createKiwoomRest({
    baseUrl,
    tokens,
    clock,
    requestsPerSecond: config.kiwoom.requestsPerSecond,
    requestTimeoutMs: config.kiwoom.requestTimeoutMs,
    maxPages: pages,
    log: stderrLog(io),
  });
  try {
    const spec = KIWOOM_TRS[apiId] as TrSpec<unknown, Record<string, unknown>>;
    const result = await rest.call(spec, params, { maxPages: pages });
    if (result.stop === 'max-pages') io.stderr.write(`krx-signals query: stopped after ${result.pages} page(s); more are available (--pages)\n`);
    return result.data;
  } finally {
    await rest.close();
    await issuer.close();
    await sim?.close();
  }
}

type Issuer = ReturnType<typeof createKiwoomTokenIssuer>;

/** The embedded simulator: a fresh token per run. */
function issuingTokens(issuer: Issuer): TokenSource {
  let current: Promise<string> | undefined;
  return {
    getToken: () => (current ??= issuer.issue().then((t) => t.token)),
    invalidate: () => {
      current = undefined;
    },
  };
}

/**
 * Live: the daemon's cached token when there is one; a token of our own only when no daemon holds the
 * data directory (Kiwoom keeps one live token per app key: issuing would kill the daemon's).
 */
function cachedTokens(config: Config, baseUrl: string, appkey: string, issuer: Issuer): TokenSource {
  const cache = config.tokens.cache ? createFileTokenCache(config.dataDir) : undefined;
  const key = { broker: 'kiwoom' as const, host: new URL(baseUrl).origin, appkey };
  const refused = new Set<string>();
  let current: string | undefined;
  const fromCache = (minLifeMs: number): string | undefined => {
    const cached = cache?.load(key);
    if (cached === undefined || refused.has(cached.token) || cached.expiresAt - systemClock.now() <= minLifeMs) return undefined;
    return cached.token;
  };
  return {
    getToken: async () => {
      if (current !== undefined) return current;
      const daemon = dataLockHolder(config.dataDir);
      // A daemon refreshes its own token; until then the one it holds is still good at the broker.
      current = fromCache(daemon !== undefined ? 30_000 : config.tokens.refreshMarginSeconds * 1000);
      if (current !== undefined) return current;
      if (daemon !== undefined) {
        throw new AuthError(
          'E_TOKEN_HELD',
          `a krx-signals daemon (pid ${daemon}) holds this app key and no valid token of it is in the token cache (${config.tokens.cache ? 'it may be refreshing: try again shortly' : 'tokens.cache is off'}); issuing one here would invalidate the daemon's`,
        );
      }
      const issued = await issuer.issue();
      cache?.save(key, { token: issued.token, expiresAt: issued.expiresAt, issuedAt: systemClock.now() });
      current = issued.token;
      return current;
    },
    invalidate: (token) => {
      refused.add(token);
      if (token === current) current = undefined;
    },
  };
}

// ---- output ----

/**
 * One row as printed: dates as YYYY-MM-DD, stk_cd without its venue suffix plus `venue`. The codecs
 * already split the suffix into `venue` (src/adapters/kiwoom/tr-spec.ts); a row without it is split here.
 */
function presentRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = DATE_FIELDS.has(k) && typeof v === 'number' ? kstIsoDate(v) : v;
  if (typeof row.stk_cd === 'string' && typeof row.venue !== 'string') {
    const m = /^(.*?)(?:_(NX|AL))?$/.exec(row.stk_cd);
    out.stk_cd = m?.[1] ?? row.stk_cd;
    out.venue = m?.[2] === 'NX' ? 'NXT' : m?.[2] === 'AL' ? 'SOR' : 'KRX';
  }
  return out;
}

function render(apiId: ApiId, data: Record<string, unknown>, format: Format): string {
  const listKey = KIWOOM_TRS[apiId].listKey;
  const list = listKey !== undefined && Array.isArray(data[listKey]) ? (data[listKey] as Record<string, unknown>[]).map(presentRow) : undefined;
  const top = presentRow(Object.fromEntries(Object.entries(data).filter(([k]) => k !== listKey)));
  if (format === 'json') return `${JSON.stringify(list === undefined ? top : { ...top, [listKey as string]: list }, null, 2)}\n`;
  if (list === undefined) return format === 'csv' ? csv([top]) : keyValueTable(top);
  const head = Object.keys(top).length > 0 && format === 'table' ? keyValueTable(top) + '\n' : '';
  return head + (format === 'csv' ? csv(list) : table(list));
}

function cell(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

function columnsOf(rows: readonly Record<string, unknown>[]): string[] {
  const cols = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) cols.add(k);
  return [...cols];
}

function table(rows: readonly Record<string, unknown>[]): string {
  const cols = columnsOf(rows);
  const width = (s: string): number => [...s].reduce((n, ch) => n + (/[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/.test(ch) ? 2 : 1), 0);
  const widths = cols.map((c) => Math.max(width(c), ...rows.map((r) => width(cell(r[c])))));
  const line = (vals: string[], numeric: boolean[]): string =>
    vals.map((v, i) => (numeric[i] ? ' '.repeat((widths[i] ?? 0) - width(v)) + v : v + ' '.repeat((widths[i] ?? 0) - width(v)))).join('  ').trimEnd();
  const isNum = cols.map((c) => rows.some((r) => typeof r[c] === 'number'));
  return [line(cols, isNum), ...rows.map((r) => line(cols.map((c) => cell(r[c])), isNum))].join('\n') + `\n(${rows.length} rows)\n`;
}

function keyValueTable(row: Record<string, unknown>): string {
  const w = Math.max(0, ...Object.keys(row).map((k) => k.length));
  return Object.entries(row).map(([k, v]) => `${k.padEnd(w)}  ${cell(v)}`).join('\n') + '\n';
}

function csv(rows: readonly Record<string, unknown>[]): string {
  const cols = columnsOf(rows);
  const quote = (s: string): string => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [cols.map(quote).join(','), ...rows.map((r) => cols.map((c) => quote(cell(r[c]))).join(','))].join('\n') + '\n';
}

/**
 * The UI's two pages: plain HTML and a small script, no build step. The chart library is served by
 * our own server from node_modules (no page needs the internet). Lightweight Charts' licence asks
 * for its attribution notice and a link to TradingView: the footer and the chart's logo give both.
 */
const ATTRIBUTION = `<footer>Charts: <a href="https://www.tradingview.com/">TradingView Lightweight Charts™</a>, Copyright (c) 2025 TradingView, Inc. https://www.tradingview.com/ (Apache-2.0)</footer>`;

const STYLE = `<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; color: #1c1f26; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e0e3eb; text-align: left; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.clickable { cursor: pointer; }
tr.clickable:hover, tr.selected { background: #eef3ff; }
#chart { height: 460px; width: 100%; max-width: 1200px; border: 1px solid #e0e3eb; }
#layout { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
#details { min-width: 320px; max-width: 420px; font-size: 13px; }
#details pre { white-space: pre-wrap; word-break: break-all; background: #f6f7f9; padding: 6px; }
.muted { color: #6a6d78; }
footer { margin-top: 24px; font-size: 12px; color: #6a6d78; }
</style>`;

export function indexPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>krx-signals: sessions</title>${STYLE}</head><body>
<h1>krx-signals</h1>
<h2>Sessions and replays</h2>
<table id="sessions"><thead><tr><th>Start (KST)</th><th>End (KST)</th><th>Session</th><th>Source</th><th>Signals</th><th>Recording</th></tr></thead><tbody></tbody></table>
<p id="problems" class="muted"></p>
<h2>Latest signals of the live daemon <span id="live-state" class="muted">(connecting)</span></h2>
<table id="live"><thead><tr><th>Time (KST)</th><th>Strategy</th><th>Kind</th><th>Symbol</th><th>Price</th><th>Session</th></tr></thead><tbody></tbody></table>
${ATTRIBUTION}
<script>
const kst = (ms) => ms == null ? '-' : new Date(ms + 9 * 3600000).toISOString().replace('T', ' ').slice(0, 19);
const cell = (text, cls) => { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; };
fetch('/api/sessions').then((r) => r.json()).then((data) => {
  const body = document.querySelector('#sessions tbody');
  for (const s of data.sessions) {
    const tr = document.createElement('tr');
    const link = document.createElement('a');
    link.href = '/session?source=' + encodeURIComponent(s.source) + '&session=' + encodeURIComponent(s.sessionId);
    link.textContent = s.sessionId;
    const id = document.createElement('td'); id.appendChild(link);
    tr.append(cell(kst(s.start)), cell(kst(s.end)), id, cell(s.source), cell(String(s.signals), 'num'), cell(s.recording ? 'yes' : 'missing'));
    body.appendChild(tr);
  }
  document.getElementById('problems').textContent = data.problems.join('; ');
  document.body.dataset.sessions = String(data.sessions.length);
});
const live = new EventSource('/api/live');
live.addEventListener('open', () => { document.getElementById('live-state').textContent = '(connected)'; });
live.addEventListener('error', () => { document.getElementById('live-state').textContent = '(reconnecting)'; });
live.addEventListener('signal', (ev) => {
  const s = JSON.parse(ev.data);
  const tr = document.createElement('tr');
  tr.dataset.id = s.id;
  tr.append(cell(kst(s.tsEvent)), cell(s.strategy), cell(s.kind), cell(s.symbol), cell(s.price == null ? '-' : String(s.price), 'num'), cell(s.sessionId));
  const body = document.querySelector('#live tbody');
  body.insertBefore(tr, body.firstChild);
  while (body.children.length > 200) body.removeChild(body.lastChild);
});
</script></body></html>`;
}

export function sessionPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>krx-signals: session</title>${STYLE}
<script src="/vendor/lightweight-charts.standalone.production.js"></script></head><body>
<p><a href="/">&larr; sessions</a></p>
<h1 id="title">Session</h1>
<p>Symbol <select id="symbol"></select> Bars <select id="tf">
<option value="10000">10s</option><option value="30000">30s</option><option value="60000" selected>1m</option><option value="300000">5m</option><option value="900000">15m</option><option value="3600000">60m</option>
</select> <span class="muted">times in KST; grey bands: the feed was down</span></p>
<div id="layout"><div id="chart"></div><div id="details" class="muted">Click a marker (or a signal below) for its details and forward returns.</div></div>
<h2>Feed down</h2><ul id="gaps"></ul>
<h2>Signals of this symbol</h2>
<table id="signals"><thead><tr><th>Time (KST)</th><th>Strategy</th><th>Kind</th><th>Price</th><th>Horizons</th></tr></thead><tbody></tbody></table>
${ATTRIBUTION}
<script>
const KST_S = 9 * 3600;
const params = new URLSearchParams(location.search);
const source = params.get('source');
const session = params.get('session');
const kst = (ms) => ms == null ? '-' : new Date(ms + KST_S * 1000).toISOString().replace('T', ' ').slice(0, 19);
const pct = (x) => x == null ? '-' : (x > 0 ? '+' : '') + (x * 100).toFixed(2) + '%';
const toChartTime = (ms) => Math.floor(ms / 1000) + KST_S;
const COLORS = { BUY: '#1e53e5', SELL: '#ff9800', EXIT: '#ff9800', ALERT: '#9c27b0' };
const LW = LightweightCharts;
const chart = LW.createChart(document.getElementById('chart'), {
  autoSize: true,
  layout: { attributionLogo: true },
  timeScale: { timeVisible: true, secondsVisible: true },
});
// Shading and volume first, so they lie under the candles and the markers.
const gapsSeries = chart.addSeries(LW.HistogramSeries, { priceScaleId: 'gaps', color: 'rgba(120,123,134,0.25)', lastValueVisible: false, priceLineVisible: false });
chart.priceScale('gaps').applyOptions({ visible: false, scaleMargins: { top: 0, bottom: 0 } });
const volume = chart.addSeries(LW.HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, color: '#b2b5be', lastValueVisible: false, priceLineVisible: false });
chart.priceScale('vol').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
const candles = chart.addSeries(LW.CandlestickSeries, { upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350' });
const markers = LW.createSeriesMarkers(candles, []);
let current = { signals: [] };
window.__krx = { chart, candles, markers, ready: false, toChartTime };

function showDetails(s) {
  const el = document.getElementById('details');
  el.className = '';
  const rows = Object.entries(s.horizons).map(([h, o]) => '<tr><td>' + h + '</td><td class="num">' + pct(o.ret) + '</td><td>' + (o.cut ? 'cut: ' + o.cut : '') + '</td><td>' + (o.hit == null ? '' : o.hit ? 'hit' : 'miss') + '</td></tr>').join('');
  el.innerHTML = '<h3></h3><p></p><table><thead><tr><th>Horizon</th><th>Return</th><th></th><th></th></tr></thead><tbody>' + rows + '</tbody></table><p>MFE ' + pct(s.mfe) + ', MAE ' + pct(s.mae) + ', entry ' + (s.entryPrice ?? '-') + '</p><pre></pre>';
  el.querySelector('h3').textContent = s.kind + ' ' + s.symbol + ' by ' + s.strategy;
  el.querySelector('p').textContent = kst(s.tsEvent) + ' at ' + (s.price ?? '-') + ' (id ' + s.id + ')';
  el.querySelector('pre').textContent = JSON.stringify(s.details, null, 1);
  el.dataset.signal = s.id;
  for (const tr of document.querySelectorAll('#signals tr')) tr.classList.toggle('selected', tr.dataset.id === s.id);
}

chart.subscribeClick((p) => {
  let s = current.signals.find((x) => x.id === p.hoveredObjectId);
  if (!s && p.time !== undefined) s = current.signals.find((x) => x.barTime === p.time);
  if (s) showDetails(s);
});

async function loadChart() {
  const [symbol, venue] = document.getElementById('symbol').value.split('|');
  const tf = document.getElementById('tf').value;
  window.__krx.ready = false;
  const q = new URLSearchParams({ source, session, symbol, venue, tf });
  const data = await (await fetch('/api/chart?' + q)).json();
  current = data;
  candles.setData(data.candles.map((c) => ({ time: toChartTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close })));
  volume.setData(data.candles.map((c) => ({ time: toChartTime(c.time), value: c.volume, color: c.close >= c.open ? 'rgba(38,166,154,0.5)' : 'rgba(239,83,80,0.5)' })));
  gapsSeries.setData(data.gapBars.map((t) => ({ time: toChartTime(t), value: 1 })));
  for (const s of data.signals) s.barTime = toChartTime(s.bar);
  markers.setMarkers(data.signals.map((s) => ({
    id: s.id,
    time: s.barTime,
    position: s.kind === 'BUY' ? 'belowBar' : 'aboveBar',
    shape: s.kind === 'BUY' ? 'arrowUp' : s.kind === 'ALERT' ? 'circle' : 'arrowDown',
    color: COLORS[s.kind] || '#000000',
    text: s.kind + ' ' + s.strategy,
  })));
  chart.timeScale().fitContent();
  const body = document.querySelector('#signals tbody');
  body.innerHTML = '';
  for (const s of data.signals) {
    const tr = document.createElement('tr');
    tr.className = 'clickable';
    tr.dataset.id = s.id;
    const h = Object.entries(s.horizons).map(([k, o]) => k + ' ' + pct(o.ret) + (o.cut ? '(' + o.cut + ')' : '')).join('  ');
    for (const text of [kst(s.tsEvent), s.strategy, s.kind, s.price == null ? '-' : String(s.price), h]) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }
    tr.addEventListener('click', () => showDetails(s));
    body.appendChild(tr);
  }
  requestAnimationFrame(() => requestAnimationFrame(() => { window.__krx.ready = true; }));
}

(async () => {
  const info = await (await fetch('/api/session?' + new URLSearchParams({ source, session }))).json();
  if (info.error) { document.getElementById('title').textContent = info.error; return; }
  document.getElementById('title').textContent = 'Session ' + info.sessionId + ' (' + info.source + ')';
  const select = document.getElementById('symbol');
  for (const s of info.symbols) {
    const o = document.createElement('option');
    o.value = s.symbol + '|' + s.venue;
    o.textContent = s.symbol + ' ' + s.venue + ' (' + s.signals + ' signals, ' + s.trades + ' trades)';
    select.appendChild(o);
  }
  const gaps = document.getElementById('gaps');
  for (const g of info.feedGaps) { const li = document.createElement('li'); li.textContent = kst(g.from) + ' - ' + (g.to == null ? 'end of recording' : kst(g.to)) + ' ' + g.reason; gaps.appendChild(li); }
  if (info.feedGaps.length === 0) gaps.innerHTML = '<li class="muted">none</li>';
  select.addEventListener('change', loadChart);
  document.getElementById('tf').addEventListener('change', loadChart);
  const wanted = params.get('symbol');
  if (wanted) for (const o of select.options) if (o.value.startsWith(wanted + '|')) select.value = o.value;
  if (select.options.length > 0) await loadChart();
  else { document.getElementById('title').textContent += ': no trades recorded'; window.__krx.ready = true; }
})();
</script></body></html>`;
}

import { loadConfig } from '../../config/load.js';
import { loadMarketSessions } from '../../config/market-sessions.js';
import { UsageError } from '../../core/errors.js';
import { DAY_MS, kstDayStart, kstIsoDate, kstParts } from '../../core/kst.js';
import { createSessionSchedule, type DayPlan } from '../../core/market-sessions.js';
import type { Command } from '../command.js';
import { EXIT } from '../exit-codes.js';

export const calendarCommand: Command = {
  name: 'calendar',
  summary: 'print the coming trading days and their phases (KRX, NXT)',
  usage: `Usage: krx-signals calendar [--from YYYY-MM-DD] [--days N] [--config <file>]

Prints each day from --from (default: today in KST) for --days days (default 7): closed days with
the reason, open days with every venue's phases in KST. The phases come from the versioned
profiles in config/market-sessions.json plus the config's calendar.holidays.

Options:
      --from <date>        the first day, YYYY-MM-DD (KST)
      --days <n>           how many days, 1-366 (default 7)
  -c, --config <file>      a config file instead of config/default.json
  -h, --help               show this help`,
  options: { from: { type: 'string' }, days: { type: 'string' }, config: { type: 'string', short: 'c' } },
  maxPositionals: 0,
  run: async ({ values, io }) => {
    const config = loadConfig({ file: values.config as string | undefined, env: io.env, cwd: io.cwd });
    const days = values.days === undefined ? 7 : Number(values.days);
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days takes a whole number from 1 to 366, got '${String(values.days)}'`);
    const from = (values.from as string | undefined) ?? kstIsoDate(Date.now()); // clock-ok: the CLI's "today"
    const start = Date.parse(`${from}T00:00:00+09:00`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !Number.isFinite(start) || kstIsoDate(start) !== from) {
      throw new UsageError(`--from takes a date YYYY-MM-DD, got '${from}'`);
    }
    const unknown: string[] = [];
    const schedule = createSessionSchedule(loadMarketSessions(), {
      extraClosures: config.calendar.holidays,
      onUnknownDay: (iso) => unknown.push(iso.slice(0, 4)),
    });
    let out = '';
    for (let i = 0; i < days; i++) out += formatDay(schedule.dayPlan(kstIsoDate(kstDayStart(start) + i * DAY_MS)));
    for (const year of unknown) out += `note: no closure list for ${year}: its weekdays are assumed open\n`;
    io.stdout.write(out);
    return EXIT.ok;
  },
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** One header line per day, then one indented line per phase. */
export function formatDay(plan: DayPlan): string {
  const weekday = WEEKDAYS[new Date(`${plan.date}T00:00:00Z`).getUTCDay()] ?? '';
  if (!plan.open) return `${plan.date} ${weekday}  closed (${plan.reason ?? 'closed'})\n`;
  const head = `${plan.date} ${weekday}  open${plan.reason ? ` (${plan.reason})` : ''}  profiles ${plan.profiles.join(', ')}\n`;
  const lines = plan.spans.map((s) => `  ${s.venue}  ${clockText(s.start)}-${clockText(s.end)}  ${s.phase}\n`);
  return head + lines.join('');
}

/** HH:MM, or HH:MM:SS when the seconds matter (NXT opens at 09:00:30). */
function clockText(epochMs: number): string {
  const p = kstParts(epochMs);
  const hhmm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  return p.second === 0 ? hhmm : `${hhmm}:${String(p.second).padStart(2, '0')}`;
}

import { z } from 'zod';
import type { MarketCalendar } from './calendar.js';
import { ConfigError } from './errors.js';
import { DAY_MS, KST_OFFSET_MS, kstDayIndex, kstIsoDate } from './kst.js';

// The trading day of 2026 on two venues, as versioned data (config/market-sessions.json): phases
// per venue with KST times, valid from a date, special days and closures. Pure: every answer is a
// function of the epoch ms passed in.

export const VENUES = ['KRX', 'NXT'] as const;
export type Venue = (typeof VENUES)[number];

export const TRADING_PHASES = [
  'pre-open-auction',
  'continuous',
  'closing-auction',
  'after-hours-close-price',
  'after-hours-single-price',
  'after-market',
  'nxt-pre-market',
  'nxt-main',
  'nxt-after-market',
] as const;
export type TradingPhase = (typeof TRADING_PHASES)[number];
export type Phase = TradingPhase | 'closed';

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'expected a KST time HH:MM or HH:MM:SS');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');
const phaseRow = z.strictObject({ phase: z.enum(TRADING_PHASES), from: clock, to: clock });
const venueDay = z.union([
  z.strictObject({ phases: z.array(phaseRow) }),
  z.strictObject({ shiftOpenMinutes: z.number().int().min(-180).max(180) }),
]);

export const marketSessionsSchema = z.strictObject({
  $comment: z.string().optional(),
  version: z.literal(1),
  profiles: z.array(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9-]{1,40}$/),
      venue: z.enum(VENUES),
      validFrom: isoDate,
      note: z.string().optional(),
      phases: z.array(phaseRow).min(1),
    }),
  ),
  specialDays: z.array(
    z.strictObject({
      date: isoDate,
      kind: z.enum(['first-trading-day', 'csat', 'other']),
      note: z.string().optional(),
      venues: z.partialRecord(z.enum(VENUES), venueDay),
    }),
  ),
  closures: z.array(z.strictObject({ date: isoDate, name: z.string() })),
  /** Years whose closures are complete; outside them an unknown weekday is assumed open (with a warning). */
  coveredYears: z.array(z.number().int()),
});
export type MarketSessionsFile = z.infer<typeof marketSessionsSchema>;

/** One phase of one venue on one day, `[start, end)` in epoch ms. */
export interface PhaseSpan {
  readonly venue: Venue;
  readonly phase: TradingPhase;
  readonly start: number;
  readonly end: number;
}

export interface DayPlan {
  readonly date: string;
  readonly open: boolean;
  /** Why closed ('weekend', a closure's name, 'KIS: closed'), or the special day's kind when open. */
  readonly reason?: string;
  /** Profile ids in force (empty when closed). */
  readonly profiles: readonly string[];
  /** Every venue's phases, ordered by start. */
  readonly spans: readonly PhaseSpan[];
}

export interface PhaseChange {
  readonly at: number;
  readonly venue: Venue;
  readonly phase: Phase;
}

export interface SessionSchedule {
  dayPlan(isoDate: string): DayPlan;
  /** The phase of a venue at an instant ('closed' between and outside phases). */
  phaseAt(venue: Venue, epochMs: number): Phase;
  /** The phase changes at the first instant strictly after `epochMs` when any venue changes (venues in
   *  VENUES order; empty if none within 30 days). */
  nextChanges(epochMs: number): readonly PhaseChange[];
  /** The profile ids in force on the KST day of `epochMs`, per venue. */
  profileIds(epochMs: number): readonly string[];
  /** Every profile id this run knows: what a recording stores (config `calendar.profiles`). */
  readonly knownProfiles: readonly string[];
  /** In session = some venue in some trading phase; the calendar the pipeline and alarms follow. */
  readonly calendar: MarketCalendar;
  /**
   * Replaces the authoritative open flags (KIS CTCA0903R, fetched after start) and forgets the day
   * plans built so far; the phase watch and the host re-read at their next change.
   */
  setOpenDays(openDays: ReadonlyMap<string, boolean>): void;
}

export interface SessionScheduleOptions {
  /** More closed days (config `calendar.holidays`). */
  readonly extraClosures?: readonly string[];
  /** Authoritative open flags by ISO date (KIS CTCA0903R `opnd_yn`); they win over the shipped list. */
  readonly openDays?: ReadonlyMap<string, boolean>;
  /**
   * The profiles that exist for this run (a replay passes the ids its recording knew, so profiles
   * shipped later never change its phases). Unset: every profile of the file.
   */
  readonly knownProfiles?: readonly string[];
  /** Called once per uncovered year when a weekday there is assumed open. */
  readonly onUnknownDay?: (isoDate: string) => void;
}

const SEARCH_DAYS = 30;

/**
 * Builds the schedule from the versioned file.
 *
 * @example
 * const s = createSessionSchedule(file);
 * s.phaseAt('KRX', kstToEpoch(2026, 12, 7, 10, 0)); // 'continuous'
 */
export function createSessionSchedule(file: MarketSessionsFile, options: SessionScheduleOptions = {}): SessionSchedule {
  const parsed = marketSessionsSchema.safeParse(file);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `market sessions: ${i.path.join('.')}: ${i.message}`));
  const data = parsed.data;
  const byId = new Map(data.profiles.map((p) => [p.id, p]));
  if (byId.size !== data.profiles.length) throw new ConfigError(['market sessions: duplicate profile id']);
  for (const id of options.knownProfiles ?? []) {
    if (!byId.has(id)) throw new ConfigError([`market sessions: the profile '${id}' is unknown (recorded by a newer version?)`]);
  }
  const eligible = options.knownProfiles ? data.profiles.filter((p) => options.knownProfiles?.includes(p.id)) : data.profiles;
  for (const p of data.profiles) checkPhases(p.phases, `profile ${p.id}`);
  const closures = new Map(data.closures.map((c) => [c.date, c.name]));
  for (const day of options.extraClosures ?? []) closures.set(day, 'configured holiday');
  const special = new Map(data.specialDays.map((d) => [d.date, d]));
  const covered = new Set(data.coveredYears);
  const warnedYears = new Set<number>();
  const plans = new Map<number, DayPlan>();

  const profileFor = (venue: Venue, iso: string) => {
    let best: (typeof data.profiles)[number] | undefined;
    for (const p of eligible) if (p.venue === venue && p.validFrom <= iso && (!best || p.validFrom > best.validFrom)) best = p;
    return best;
  };

  let openDays = options.openDays;
  const closedReason = (dayIndex: number, iso: string): string | null => {
    const authoritative = openDays?.get(iso);
    if (authoritative !== undefined) return authoritative ? null : 'KIS: closed';
    const weekday = (dayIndex + 4) % 7; // 1970-01-01 was a Thursday
    if (weekday === 0 || weekday === 6) return 'weekend';
    const closure = closures.get(iso);
    if (closure !== undefined) return closure;
    const year = Number(iso.slice(0, 4));
    if (!covered.has(year) && !warnedYears.has(year)) {
      warnedYears.add(year);
      options.onUnknownDay?.(iso);
    }
    return null;
  };

  const planOfDay = (dayIndex: number): DayPlan => {
    const cached = plans.get(dayIndex);
    if (cached) return cached;
    const midnight = dayIndex * DAY_MS - KST_OFFSET_MS;
    const iso = kstIsoDate(midnight);
    const reason = closedReason(dayIndex, iso);
    let plan: DayPlan;
    if (reason !== null) {
      plan = { date: iso, open: false, reason, profiles: [], spans: [] };
    } else {
      const spans: PhaseSpan[] = [];
      const profiles: string[] = [];
      const day = special.get(iso);
      for (const venue of VENUES) {
        const profile = profileFor(venue, iso);
        if (!profile) continue;
        profiles.push(profile.id);
        const override = day?.venues[venue];
        let rows = profile.phases;
        if (override && 'phases' in override) rows = override.phases;
        const shift = override && 'shiftOpenMinutes' in override ? override.shiftOpenMinutes * 60_000 : 0;
        for (const row of rows) spans.push(spanOf(venue, row, midnight, shift));
      }
      spans.sort((a, b) => a.start - b.start || a.venue.localeCompare(b.venue));
      plan = { date: iso, open: true, ...(day && { reason: day.kind }), profiles, spans: spans.filter((s) => s.end > s.start) };
    }
    if (plans.size > 400) plans.clear(); // bounded: a daemon walks forward day by day
    plans.set(dayIndex, plan);
    return plan;
  };

  const phaseAt = (venue: Venue, epochMs: number): Phase => {
    for (const s of planOfDay(kstDayIndex(epochMs)).spans) if (s.venue === venue && epochMs >= s.start && epochMs < s.end) return s.phase;
    return 'closed';
  };

  const nextChanges = (epochMs: number): readonly PhaseChange[] => {
    const first = kstDayIndex(epochMs);
    for (let d = first; d <= first + SEARCH_DAYS; d++) {
      let soonest = Number.POSITIVE_INFINITY;
      for (const s of planOfDay(d).spans) {
        if (s.start > epochMs && s.start < soonest) soonest = s.start;
        if (s.end > epochMs && s.end < soonest) soonest = s.end;
      }
      if (!Number.isFinite(soonest)) continue;
      const changes: PhaseChange[] = [];
      for (const venue of VENUES) {
        const phase = phaseAt(venue, soonest);
        if (phase !== phaseAt(venue, soonest - 1)) changes.push({ at: soonest, venue, phase });
      }
      // Two spans meeting back to back with the same phase are no change: look further.
      return changes.length > 0 ? changes : nextChanges(soonest);
    }
    return [];
  };

  const inSession = (epochMs: number): boolean => VENUES.some((v) => phaseAt(v, epochMs) !== 'closed');

  const calendar: MarketCalendar = {
    kind: 'sessions',
    isOpen: inSession,
    nextOpen(epochMs) {
      if (inSession(epochMs)) return epochMs;
      for (let c = nextChanges(epochMs)[0]; c; c = nextChanges(c.at)[0]) if (inSession(c.at)) return c.at;
      return Number.POSITIVE_INFINITY;
    },
    nextClose(epochMs) {
      const t = calendar.nextOpen(epochMs);
      if (!Number.isFinite(t)) return t;
      for (let c = nextChanges(t)[0]; c; c = nextChanges(c.at)[0]) if (!inSession(c.at)) return c.at;
      return Number.POSITIVE_INFINITY;
    },
  };

  return {
    dayPlan: (iso) => planOfDay(kstDayIndex(Date.parse(`${iso}T00:00:00+09:00`))),
    phaseAt,
    nextChanges,
    profileIds: (epochMs) => planOfDay(kstDayIndex(epochMs)).profiles,
    knownProfiles: eligible.map((p) => p.id),
    calendar,
    setOpenDays(days) {
      openDays = days;
      plans.clear();
    },
  };
}

const STEADY_PHASES: ReadonlySet<Phase> = new Set(['continuous', 'nxt-main']);

/**
 * True when trades flow steadily on some venue (KRX continuous, NXT main): silence there is a fault
 * and the data-silence alarm is loud. Quiet elsewhere: the auctions, the 15:30-15:40 KRX gap, the
 * thin pre- and after-markets, and after 20:00.
 */
export function expectsSteadyFlow(schedule: Pick<SessionSchedule, 'phaseAt'>, epochMs: number): boolean {
  return VENUES.some((v) => STEADY_PHASES.has(schedule.phaseAt(v, epochMs)));
}

const AUCTION_PHASES: ReadonlySet<Phase> = new Set(['pre-open-auction', 'closing-auction', 'after-hours-single-price']);
/** The single price of an auction prints at its end (09:00:00, 15:30:00): FID 20 has whole seconds. */
export const AUCTION_PRINT_GRACE_MS = 1000;

/**
 * True when a trade stamped `tsEvent` on `venue` is an auction print: inside an auction phase or
 * within the second after one ended (the 09:00 opening and the 15:30 closing price).
 *
 * @example
 * isAuctionPrint(s, 'KRX', kstToEpoch(2026, 12, 7, 9, 0)); // true: the opening print
 */
export function isAuctionPrint(schedule: Pick<SessionSchedule, 'phaseAt'>, venue: Venue, tsEvent: number): boolean {
  return AUCTION_PHASES.has(schedule.phaseAt(venue, tsEvent)) || AUCTION_PHASES.has(schedule.phaseAt(venue, tsEvent - AUCTION_PRINT_GRACE_MS));
}

function spanOf(venue: Venue, row: { phase: TradingPhase; from: string; to: string }, midnight: number, shiftMs: number): PhaseSpan {
  const from = clockMs(row.from);
  const to = clockMs(row.to);
  // A shifted open moves every phase that starts before noon; phases ending in the afternoon keep their end.
  const start = midnight + from + (from < 12 * 3600_000 ? shiftMs : 0);
  const end = midnight + to + (to <= 12 * 3600_000 ? shiftMs : 0);
  return { venue, phase: row.phase, start, end };
}

function clockMs(text: string): number {
  const [h = 0, m = 0, s = 0] = text.split(':').map(Number);
  return ((h * 60 + m) * 60 + s) * 1000;
}

function checkPhases(rows: readonly { phase: string; from: string; to: string }[], where: string): void {
  let last = -1;
  for (const row of rows) {
    const from = clockMs(row.from);
    const to = clockMs(row.to);
    if (to <= from) throw new ConfigError([`market sessions: ${where}: ${row.phase} ends (${row.to}) before it starts (${row.from})`]);
    if (from < last) throw new ConfigError([`market sessions: ${where}: ${row.phase} overlaps the phase before it`]);
    last = to;
  }
}

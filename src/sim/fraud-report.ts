// The fraud simulation's measure: each request filed during the measured days gets its
// RequestFacts counted as the store counts them (domain/fraud-signals.ts documents each
// window, the request itself included), is scored with scoreRequest, and is held when a
// score reaches the hold score. Then, over a grid of hold scores: the share of genuine
// requests held (false positives, and how many an agent must clear a day) and the share of
// each fleet's requests held, with the signals that fired. Pure: no clock, no I/O.
import {
  DEFAULT_FRAUD_THRESHOLDS,
  FRAUD_SIGNAL_KINDS,
  type FraudReason,
  type FraudSignalKind,
  type FraudThresholds,
  networkOf,
  privateEmailDomain,
  type RequestFacts,
  scoreRequest,
  shouldHold,
} from '../domain/fraud-signals.ts';
import {
  DAY_HOURS,
  defaultFraudPopulation,
  type Filing,
  type FraudPopulation,
  type FraudPopulationParameters,
  GENUINE_SEGMENTS,
  generateFraudPopulation,
} from './fraud-population.ts';
import { Random } from './random.ts';

export const HOLD_SCORE_GRID: readonly number[] = [30, 40, 50, 60, 70, 80, 90, 100, 110, 120];

/** Window of each signal, in hours (null: no window, or the identity's own history below). */
const WINDOW = {
  network_burst: 24,
  email_domain_crowd: 30 * DAY_HOURS,
  shared_phone: 90 * DAY_HOURS,
  shared_device: 30 * DAY_HOURS,
  churn: 90 * DAY_HOURS,
  ignored_offers: 180 * DAY_HOURS,
  identity_refused: 180 * DAY_HOURS,
  no_shows: 180 * DAY_HOURS,
} as const;

/** Times (ascending) with who they belong to. */
interface Timeline {
  at: number[];
  who: number[];
}

function add(index: Map<string, Timeline>, key: string | null, at: number, who: number): void {
  if (key === null) return;
  let line = index.get(key);
  if (!line) {
    line = { at: [], who: [] };
    index.set(key, line);
  }
  line.at.push(at);
  line.who.push(who);
}

/** First index whose time is > t. */
function after(times: readonly number[], t: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (times[mid]! > t) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Entries of a timeline in (t − window, t]. */
function within(line: Timeline | undefined, t: number, window: number): [number, number] {
  if (!line) return [0, 0];
  return [after(line.at, t - window), after(line.at, t)];
}

function countIn(line: Timeline | undefined, t: number, window: number): number {
  const [from, to] = within(line, t, window);
  return to - from;
}

function distinctIn(line: Timeline | undefined, t: number, window: number): number {
  const [from, to] = within(line, t, window);
  if (!line || to - from <= 1) return to - from;
  const seen = new Set<number>();
  for (let i = from; i < to; i++) seen.add(line.who[i]!);
  return seen.size;
}

/**
 * Counts every request's facts over a population. Built once; `factsAt` then answers for any
 * request at any instant after its filing (the store's counts at an event).
 */
export class FactCounter {
  private readonly byNetwork = new Map<string, Timeline>();
  private readonly byDomain = new Map<string, Timeline>();
  private readonly byPhone = new Map<string, Timeline>();
  private readonly byDevice = new Map<string, Timeline>();
  private readonly byNames = new Map<string, Filing[]>();
  /** Per identity, per kind of event. */
  private readonly history = new Map<string, Timeline>();
  /** Refusals at a counter, by identity, email, phone and network of the refused request. */
  private readonly refusals = new Map<string, Timeline>();
  private readonly networks: (string | null)[];

  constructor(private readonly population: FraudPopulation) {
    const { filings, events } = population;
    this.networks = filings.map((f) => networkOf(f.ip));
    // A document shares an email domain, a phone or a device when it files a request with it,
    // and again when its appointment is created (the store counts both tables).
    const sharing = filings
      .flatMap((f) =>
        f.bookedAt === null
          ? [{ f, at: f.at }]
          : [
              { f, at: f.at },
              { f, at: f.bookedAt },
            ],
      )
      .sort((a, b) => a.at - b.at || a.f.id - b.f.id);
    for (const { f, at } of sharing) {
      add(this.byDomain, privateEmailDomain(f.email), at, f.identity);
      add(this.byPhone, f.phone, at, f.identity);
      add(this.byDevice, f.device, at, f.identity);
    }
    for (const f of filings) {
      add(this.byNetwork, this.networks[f.id]!, f.at, f.id);
      const namesakes = this.byNames.get(f.names);
      if (namesakes) namesakes.push(f);
      else this.byNames.set(f.names, [f]);
    }
    events.forEach((e, i) => {
      const f = filings[e.filing]!;
      add(this.history, `${e.kind} ${f.identity}`, e.at, i);
      if (e.kind !== 'identity_refused') return;
      add(this.refusals, `identity ${f.identity}`, e.at, i);
      add(this.refusals, f.email && `email ${f.email}`, e.at, i);
      add(this.refusals, f.phone && `phone ${f.phone}`, e.at, i);
      add(this.refusals, this.networks[f.id] ? `network ${this.networks[f.id]}` : null, e.at, i);
    });
  }

  /** The facts of request `filing` at instant `t` (≥ its filing): every count over its window up to `t`. */
  factsAt(filing: Filing, t: number): RequestFacts {
    const network = this.networks[filing.id]!;
    const domain = privateEmailDomain(filing.email);
    const refused = new Set<number>();
    for (const key of [
      `identity ${filing.identity}`,
      filing.email && `email ${filing.email}`,
      filing.phone && `phone ${filing.phone}`,
      network && `network ${network}`,
    ]) {
      if (!key) continue;
      const line = this.refusals.get(key);
      const [from, to] = within(line, t, WINDOW.identity_refused);
      for (let i = from; i < to; i++) refused.add(line!.who[i]!);
    }
    const own = (kind: string, window: number) => countIn(this.history.get(`${kind} ${filing.identity}`), t, window);
    const namesakes = new Set<number>();
    for (const other of this.byNames.get(filing.names) ?? []) {
      if (other.identity !== filing.identity && other.at <= t && other.closedAt > t) namesakes.add(other.identity);
    }
    return {
      network_burst: network === null ? 0 : countIn(this.byNetwork.get(network), t, WINDOW.network_burst),
      email_domain_crowd: domain === null ? 0 : distinctIn(this.byDomain.get(domain), t, WINDOW.email_domain_crowd),
      shared_phone: filing.phone === null ? 0 : distinctIn(this.byPhone.get(filing.phone), t, WINDOW.shared_phone),
      shared_device: filing.device === null ? 0 : distinctIn(this.byDevice.get(filing.device), t, WINDOW.shared_device),
      likely_duplicate: namesakes.size,
      churn: own('churn', WINDOW.churn),
      ignored_offers: own('ignored_offer', WINDOW.ignored_offers),
      identity_refused: refused.size,
      no_shows: own('no_show', WINDOW.no_shows),
    };
  }

  get filings(): readonly Filing[] {
    return this.population.filings;
  }
}

/** One measured request: its highest score, and the reasons of the first score at or above the hold score. */
export interface ScoredRequest {
  filing: Filing;
  maxScore: number;
  /** The reasons when it is held at the hold score given to scoreRequests (empty when not held). */
  heldFor: FraudReason[];
}

/** A request filed in the measured days, with its facts at each instant the store scores it. */
export interface MeasuredRequest {
  filing: Filing;
  facts: RequestFacts[];
}

/**
 * The facts of every request filed in the measured days: at its filing, and again each time
 * one of its offers lapses unanswered within them (the events the store scores a live request
 * at; a withdrawal closes it, a no-show or a counter refusal ends its appointment, and the
 * next filing is a new request). The facts do not depend on the thresholds: count once, score
 * under many.
 */
export function measuredRequests(population: FraudPopulation): MeasuredRequest[] {
  const counter = new FactCounter(population);
  const { filings, events, measureFrom, measureTo } = population;
  const lapses = new Map<number, number[]>();
  for (const e of events) {
    if (e.kind !== 'ignored_offer' || e.at >= measureTo) continue;
    const list = lapses.get(e.filing);
    if (list) list.push(e.at);
    else lapses.set(e.filing, [e.at]);
  }
  return filings
    .filter((f) => f.at >= measureFrom && f.at < measureTo)
    .map((filing) => ({
      filing,
      facts: [filing.at, ...(lapses.get(filing.id) ?? [])].map((t) => counter.factsAt(filing, t)),
    }));
}

/** Scores each measured request under the thresholds: held at its first score at or above the hold score. */
export function scoreRequests(
  measured: readonly MeasuredRequest[],
  thresholds: FraudThresholds = DEFAULT_FRAUD_THRESHOLDS,
): ScoredRequest[] {
  return measured.map(({ filing, facts }) => {
    let maxScore = 0;
    let heldFor: FraudReason[] = [];
    for (const f of facts) {
      const score = scoreRequest(f, thresholds.rules);
      maxScore = Math.max(maxScore, score.score);
      if (heldFor.length === 0 && shouldHold(score, 'none', [], thresholds.holdScore)) heldFor = score.reasons;
    }
    return { filing, maxScore, heldFor };
  });
}

export interface HeldFigures {
  requests: number;
  held: number;
  share: number;
}

export interface GridRow {
  holdScore: number;
  genuine: HeldFigures & { heldPerDay: number };
  fleets: Record<string, HeldFigures>;
  /** Fleet requests held a day, all fleets together. */
  fleetHeldPerDay: number;
}

export interface FraudReport {
  seed: number;
  scale: number;
  historyDays: number;
  measuredDays: number;
  thresholds: FraudThresholds;
  population: {
    genuineRequests: number;
    genuinePeople: number;
    bySegment: Record<string, number>;
    fleets: Record<string, { description: string; requests: number }>;
  };
  /** At the thresholds' hold score. */
  atHoldScore: GridRow & {
    genuinePeopleHeld: number;
    bySegment: Record<string, HeldFigures>;
    /** Per population ('genuine', then each fleet): held requests each signal added points to. */
    signals: Record<string, Partial<Record<FraudSignalKind, number>>>;
  };
  grid: GridRow[];
  parameters: FraudPopulationParameters;
}

export interface FraudSimulationOptions {
  seed: number;
  /** Appointments a year (default 150,000). */
  scale?: number;
  measuredDays?: number;
  thresholds?: FraudThresholds;
  parameters?: FraudPopulationParameters;
}

export interface FraudSimulation {
  population: FraudPopulation;
  measured: MeasuredRequest[];
  scored: ScoredRequest[];
  report: FraudReport;
}

export function simulateFraud(options: FraudSimulationOptions): FraudSimulation {
  const thresholds = options.thresholds ?? DEFAULT_FRAUD_THRESHOLDS;
  const parameters = options.parameters ?? defaultFraudPopulation(options.scale, options.measuredDays);
  const streams = Random.streams(options.seed, 1 + parameters.fleets.length);
  const population = generateFraudPopulation(parameters, streams);
  const measured = measuredRequests(population);
  const scored = scoreRequests(measured, thresholds);
  return { population, measured, scored, report: reportOf(scored, parameters, thresholds, options.seed) };
}

const share = (held: number, requests: number): number => (requests === 0 ? 0 : held / requests);
const figures = (list: readonly ScoredRequest[], holdScore: number): HeldFigures => {
  const held = list.filter((s) => s.maxScore >= holdScore).length;
  return { requests: list.length, held, share: share(held, list.length) };
};

export function reportOf(
  scored: readonly ScoredRequest[],
  parameters: FraudPopulationParameters,
  thresholds: FraudThresholds,
  seed: number,
): FraudReport {
  const days = parameters.measuredDays;
  const genuine = scored.filter((s) => s.filing.population === 'genuine');
  const fleets = parameters.fleets.map((f) => ({
    fleet: f,
    list: scored.filter((s) => s.filing.population === f.name),
  }));
  const row = (holdScore: number): GridRow => {
    const g = figures(genuine, holdScore);
    const f = Object.fromEntries(fleets.map(({ fleet, list }) => [fleet.name, figures(list, holdScore)]));
    const fleetHeld = Object.values(f).reduce((sum, x) => sum + x.held, 0);
    return {
      holdScore,
      genuine: { ...g, heldPerDay: g.held / days },
      fleets: f,
      fleetHeldPerDay: fleetHeld / days,
    };
  };
  const signalsOf = (list: readonly ScoredRequest[]) => {
    const counts: Partial<Record<FraudSignalKind, number>> = {};
    for (const kind of FRAUD_SIGNAL_KINDS) {
      const n = list.filter((s) => s.heldFor.some((r) => r.kind === kind)).length;
      if (n > 0) counts[kind] = n;
    }
    return counts;
  };
  const bySegment = (holdScore: number) =>
    Object.fromEntries(
      GENUINE_SEGMENTS.map((segment) => [
        segment,
        figures(
          genuine.filter((s) => s.filing.segment === segment),
          holdScore,
        ),
      ]),
    );
  return {
    seed,
    scale: parameters.appointmentsPerYear,
    historyDays: parameters.historyDays,
    measuredDays: days,
    thresholds,
    population: {
      genuineRequests: genuine.length,
      genuinePeople: new Set(genuine.map((s) => s.filing.identity)).size,
      bySegment: Object.fromEntries(Object.entries(bySegment(0)).map(([k, v]) => [k, v.requests])),
      fleets: Object.fromEntries(
        fleets.map(({ fleet, list }) => [fleet.name, { description: fleet.description, requests: list.length }]),
      ),
    },
    atHoldScore: {
      ...row(thresholds.holdScore),
      genuinePeopleHeld: new Set(genuine.filter((s) => s.heldFor.length > 0).map((s) => s.filing.identity)).size,
      bySegment: bySegment(thresholds.holdScore),
      signals: {
        genuine: signalsOf(genuine),
        ...Object.fromEntries(fleets.map(({ fleet, list }) => [fleet.name, signalsOf(list)])),
      },
    },
    grid: HOLD_SCORE_GRID.map(row),
    parameters,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** The figures as a text table (the command's summary). */
export function formatFraudReport(report: FraudReport): string {
  const fleetNames = Object.keys(report.population.fleets);
  const a = report.atHoldScore;
  const lines = [
    `fraud simulation: seed ${report.seed}, ${report.scale.toLocaleString('en')} appointments a year, ${report.measuredDays} days measured after ${report.historyDays} of history`,
    `genuine: ${report.population.genuineRequests.toLocaleString('en')} requests by ${report.population.genuinePeople.toLocaleString('en')} people; fleets: ${fleetNames.map((n) => `${n} ${report.population.fleets[n]!.requests}`).join(', ')}`,
    '',
    `hold score | genuine held (per day) | ${fleetNames.join(' | ')}`,
    ...report.grid.map(
      (r) =>
        `${String(r.holdScore).padStart(10)} | ${pct(r.genuine.share)} (${r.genuine.heldPerDay.toFixed(1)}) | ${fleetNames.map((n) => pct(r.fleets[n]!.share)).join(' | ')}`,
    ),
    '',
    `at hold score ${a.holdScore}: ${a.genuine.held} genuine requests held (${pct(a.genuine.share)}, ${a.genuine.heldPerDay.toFixed(1)} a day, ${a.genuinePeopleHeld} people), ${a.fleetHeldPerDay.toFixed(1)} fleet requests held a day`,
    ...Object.entries(a.bySegment).map(([s, f]) => `  genuine ${s}: ${f.held} of ${f.requests} (${pct(f.share)})`),
    ...Object.entries(a.signals).map(
      ([who, counts]) =>
        `  signals, ${who}: ${
          Object.entries(counts)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') || 'none'
        }`,
    ),
    '',
  ];
  return lines.join('\n');
}

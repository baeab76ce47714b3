// The resellers' fleet: how fast a booking lands, how many it can land per second, and
// what Créneau's protections cost it. Bots are modelled at their best, as the evidence
// describes them (docs/SIMULATOR.md): they poll the calendar continuously, book in
// milliseconds to seconds, and bring as many identities, email addresses and IP addresses
// as the protections ask for.
import type { Range, SimParameters } from './parameters.ts';
import type { Random } from './random.ts';
import { SECOND } from './time.ts';

export type PolicyName = 'fcfs' | 'fcfsProtected' | 'oneFlow';

export interface BotProfile {
  /** From a slot appearing (or an offer arriving) to the bot's booking (or answer) landing. */
  latencyMs: Range;
  /** Bookings per second the fleet can land in a burst (per-IP rate limits × proxies);
   *  null when nothing limits it. */
  bookingsPerSecond: number | null;
  /** Live bookings per email address (the per-email cap); null: no cap. */
  perEmailCap: number | null;
  /** Live bookings the fleet can hold (per-email cap × its email addresses); null: unlimited. */
  maxLiveBookings: number | null;
  /** CPU seconds of proof of work per booking, at the ceiling difficulty (0 without). */
  cpuSecondsPerBooking: number;
  /** Can it book a registry-checked procedure under an invented identity? Only when no
   *  registry check exists; otherwise it needs a customer's real identity. */
  inventsRegistryIdentities: boolean;
}

export function botProfile(policy: PolicyName, params: SimParameters): BotProfile {
  const { bots, protections } = params;
  if (policy === 'fcfs') {
    return {
      latencyMs: bots.latencyMs,
      bookingsPerSecond: null,
      perEmailCap: null,
      maxLiveBookings: null,
      cpuSecondsPerBooking: 0,
      inventsRegistryIdentities: true,
    };
  }
  // Créneau's protections, as built, in front of both fcfsProtected and oneFlow.
  const hashes = protections.proofsPerBooking * 0.75 * protections.powMaxNumber;
  return {
    latencyMs: bots.protectedLatencyMs,
    bookingsPerSecond: (bots.proxyAddresses * protections.sensitivePerMinute) / 60,
    perEmailCap: protections.maxActivePerEmail,
    maxLiveBookings: bots.emailAddresses * protections.maxActivePerEmail,
    cpuSecondsPerBooking: hashes / bots.hashesPerCoreSecond,
    inventsRegistryIdentities: false,
  };
}

/**
 * When the k-th booking (0-based) of a burst that starts at `from` lands: its own latency,
 * plus its place in the queue the rate limits make. Example: 1,000 proxies × 20 bookings a
 * minute = 333/s, so the 300th booking of a release waits 0.9 s more than the first.
 */
export function botBookingAt(profile: BotProfile, from: number, k: number, random: Random): number {
  const queued = profile.bookingsPerSecond === null ? 0 : (k / profile.bookingsPerSecond) * SECOND;
  return Math.round(from + random.between(profile.latencyMs.min, profile.latencyMs.max) + queued);
}

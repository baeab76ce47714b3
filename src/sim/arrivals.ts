// Human applicants: a Poisson stream over the whole run, the same for every policy. What a
// person is (procedure, urgency, patience, whether they would pay a reseller) is drawn here
// once; how the policies treat them is the policies' business.

import type { SimParameters } from './parameters.ts';
import type { Random } from './random.ts';
import { DAY } from './time.ts';

export interface Applicant {
  index: number;
  arrivesAt: number;
  /** Needs a procedure checked against the AGDREF registry (renewal…), else passport only. */
  registryChecked: boolean;
  /** Why they come: their permit or récépissé has expired, expires within months (a
   *  renewal is asked 2 to 4 months ahead), or no date presses (first request…). */
  urgency: 'expired' | 'expiring' | 'none';
  /** Expiry of the permit or récépissé (in the past for 'expired'); null for 'none'. The
   *  draw's priority class follows from it day by day (domain/priority.ts). */
  expiresAt: number | null;
  /** Latest useful appointment start: the expiry, or for 'expired' a few weeks after
   *  arriving; null for 'none'. */
  deadlineAt: number | null;
  /** Stops looking (or withdraws the request) at this instant if still without appointment. */
  givesUpAt: number;
  /** Goes to a reseller at once and hands over their identity. */
  rentsIdentity: boolean;
  /** When, still without appointment, they would pay a reseller (null: never). */
  paysAt: number | null;
  /** Delay between the need arising and the request being filed (allocation). */
  fileDelay: number;
  /** Cancels the appointment they get (plans change), at `cancelPoint` ∈ [0, 1) of the way
   *  from booking to the day before. */
  cancels: boolean;
  cancelPoint: number;
}

export function generateArrivals(params: SimParameters, horizon: number, random: Random): Applicant[] {
  const { supply, demand, humans, market } = params;
  const perDay = (supply.appointmentsPerYear * demand.demandRatio) / 365;
  const meanGap = DAY / perDay;
  const applicants: Applicant[] = [];
  for (let t = random.exponential(meanGap); t < horizon; t += random.exponential(meanGap)) {
    const arrivesAt = Math.round(t);
    const draw = random.float();
    const urgency =
      draw < demand.urgencyMix[0]
        ? 'expired'
        : draw < demand.urgencyMix[0] + demand.urgencyMix[1]
          ? 'expiring'
          : 'none';
    const expiresAt =
      urgency === 'expired'
        ? arrivesAt - Math.round(random.between(1, 30) * DAY)
        : urgency === 'expiring'
          ? arrivesAt + Math.round(random.between(demand.expiringInDays.min, demand.expiringInDays.max) * DAY)
          : null;
    const deadlineAt = urgency === 'expired' ? arrivesAt + demand.expiredDeadlineDays * DAY : expiresAt;
    const rentsIdentity = random.chance(market.resellerIdentityShare);
    const pays = !rentsIdentity && random.chance(market.payShare);
    const payAfter = random.between(market.payAfterDays.min, market.payAfterDays.max);
    applicants.push({
      index: applicants.length,
      arrivesAt,
      registryChecked: random.chance(supply.registryCheckedShare),
      urgency,
      expiresAt,
      deadlineAt,
      givesUpAt: arrivesAt + Math.round(random.between(demand.patienceDays.min, demand.patienceDays.max) * DAY),
      rentsIdentity,
      paysAt: pays ? arrivesAt + Math.round(payAfter * DAY) : null,
      fileDelay: Math.round(random.logNormal(humans.fileDelayMedianHours * 3_600_000, 1)),
      cancels: random.chance(demand.cancelShare),
      cancelPoint: random.float(),
    });
  }
  return applicants;
}

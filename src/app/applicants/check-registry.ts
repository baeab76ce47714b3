// The AGDREF registry check that booking (and, later, requests) run for procedures with
// `registryCheck`: the number must exist, the surname and birth date must match, and for
// renewals the permit must be inside its renewal window. Fails closed when the registry is
// unreachable.
//
// No enumeration: an unknown number, a wrong surname and a wrong birth date take the same
// path (two limiter hits, one lookup, the same comparisons, one security event) and end in
// the identical DomainError: IDENTITY_NOT_VERIFIED with the catalogue's message and no
// details. Attempts are counted per IP and per number (keyed hash, never the raw number).
import { DomainError } from '../../domain/errors.ts';
import { normaliseAgdref } from '../../domain/identity.ts';
import { localDateOf } from '../../domain/local-time.ts';
import { clientAddressOf } from '../../domain/pow-difficulty.ts';
import {
  evaluateRegistryCheck,
  explainPermitRefusal,
  type RegistryCheckedProcedure,
} from '../../domain/registry-check.ts';
import type { AttemptLimiter } from '../../ports/attempt-limiter.ts';
import type { Clock } from '../../ports/clock.ts';
import { type Registry, type RegistryRecord, RegistryUnavailable } from '../../ports/registry.ts';
import type { Hasher } from '../../ports/secrets.ts';
import type { SecurityEventLog } from '../../ports/security-events.ts';

export interface RegistryCheckLimits {
  attemptsPerIpPerHour: number;
  attemptsPerNumberPerHour: number;
}

export interface CheckRegistryDeps {
  registry: Registry;
  limiter: AttemptLimiter;
  events: SecurityEventLog;
  clock: Clock;
  hasher: Pick<Hasher, 'identityKey'>;
  /** config.registry fits. */
  limits: RegistryCheckLimits;
}

export interface CheckRegistryInput {
  /** As typed: "75 123 4567" is accepted and normalised. */
  agdrefNumber: string;
  surname: string;
  birthDate: string;
  procedure: RegistryCheckedProcedure & { id?: string };
  /** The applicant's IP; null when an authenticated agent books on someone's behalf (no per-IP count). */
  ip: string | null;
  /** For the security event, e.g. "POST /api/bookings". */
  route?: string;
  /** The prefecture's time zone: "today" for the renewal window is the applicant's date there. */
  timeZone?: string;
}

export interface RegistryCheckPassed {
  /** 10 digits, normalised. */
  agdrefNumber: string;
  /** hasher.identityKey("agdref:<number>"): the same key the appointment stores. */
  identityKey: string;
  record: RegistryRecord;
}

const WINDOW_SECONDS = 3600;
const DEFAULT_ROUTE = 'registry-check';
const DEFAULT_TIME_ZONE = 'Europe/Paris';

export async function checkRegistry(deps: CheckRegistryDeps, input: CheckRegistryInput): Promise<RegistryCheckPassed> {
  const agdrefNumber = normaliseAgdref(input.agdrefNumber);
  if (!agdrefNumber) {
    throw new DomainError('VALIDATION_FAILED', 'The AGDREF number must be 9 or 10 digits.', {
      errors: [{ path: 'applicant.agdrefNumber', message: 'must be 9 or 10 digits' }],
    });
  }
  const identityKey = deps.hasher.identityKey(`agdref:${agdrefNumber}`);
  const route = input.route ?? DEFAULT_ROUTE;
  const event = { ip: input.ip, route, identityKey, details: { procedureId: input.procedure.id ?? null } };

  // Both counters move on every attempt, so a refusal by one does not spare the other.
  const [byIp, byNumber] = await Promise.all([
    input.ip === null
      ? null
      : deps.limiter.hit(`registry:ip:${clientAddressOf(input.ip)}`, deps.limits.attemptsPerIpPerHour, WINDOW_SECONDS),
    deps.limiter.hit(`registry:number:${identityKey}`, deps.limits.attemptsPerNumberPerHour, WINDOW_SECONDS),
  ]);
  const refusals = [byIp, byNumber].filter((v) => v !== null && !v.allowed);
  if (refusals.length > 0) {
    const retryAfterSeconds = Math.max(...refusals.map((v) => v!.retryAfterSeconds));
    deps.events.record({
      ...event,
      reason: 'registry_limited',
      details: { ...event.details, limitedBy: byIp && !byIp.allowed ? 'ip' : 'number' },
    });
    throw new DomainError('REGISTRY_ATTEMPTS_LIMITED', undefined, { retryAfterSeconds });
  }

  let record: RegistryRecord | null;
  try {
    record = await deps.registry.lookup(agdrefNumber);
  } catch (e) {
    if (!(e instanceof RegistryUnavailable)) throw e;
    deps.events.record({ ...event, reason: 'registry_unavailable', details: { ...event.details, error: e.message } });
    throw new DomainError('REGISTRY_UNAVAILABLE');
  }

  const today = localDateOf(deps.clock.now(), input.timeZone ?? DEFAULT_TIME_ZONE);
  const outcome = evaluateRegistryCheck({
    record,
    surname: input.surname,
    birthDate: input.birthDate,
    procedure: input.procedure,
    today,
  });
  if (outcome.ok) return { agdrefNumber, identityKey, record: record! };

  deps.events.record({ ...event, reason: 'registry_mismatch', details: { ...event.details, outcome: outcome.code } });
  switch (outcome.code) {
    case 'IDENTITY_NOT_VERIFIED':
      throw new DomainError('IDENTITY_NOT_VERIFIED');
    case 'PERMIT_EXPIRED':
      throw new DomainError('PERMIT_EXPIRED', explainPermitRefusal(outcome, input.procedure.renewalWindow!, today), {
        alternativeProcedureId: outcome.alternativeProcedureId,
      });
    case 'OUTSIDE_RENEWAL_WINDOW':
      throw new DomainError(
        'OUTSIDE_RENEWAL_WINDOW',
        explainPermitRefusal(outcome, input.procedure.renewalWindow!, today),
        {
          opensOn: outcome.opensOn,
          closesOn: outcome.closesOn,
        },
      );
  }
}

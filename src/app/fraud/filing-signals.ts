// What a filing or a booking keeps for the fraud signals (migration 0023), and nothing more:
// the network of an online client (IPv4 /24, IPv6 /64 — never the address), a keyed digest
// of the first-party device cookie (never the cookie), the email's domain unless a large
// public provider's or a reserved documentation domain (example.org). An agent's filing (phone, counter) has no network nor device: the
// address would be the agent's.
import {
  countedEmailDomain,
  DEFAULT_FRAUD_THRESHOLDS,
  type FraudThresholds,
  networkOf,
} from '../../domain/fraud-signals.ts';
import type { FilingSignals } from '../../ports/fraud-store.ts';
import type { Hasher } from '../../ports/secrets.ts';
import type { RequestOrigin } from '../shared/context.ts';

/** Cookie values longer than this are not a device id of ours: ignored. */
const DEVICE_ID_MAX_LENGTH = 64;

export function signalsOfFiling(
  ctx: { hasher: Hasher },
  channel: 'online' | 'phone' | 'counter',
  origin: Pick<RequestOrigin, 'ip' | 'device'>,
  email: string | null,
): FilingSignals {
  const online = channel === 'online';
  const device = online ? (origin.device ?? '').trim() : '';
  return {
    network: online ? networkOf(origin.ip) : null,
    deviceDigest:
      device !== '' && device.length <= DEVICE_ID_MAX_LENGTH ? ctx.hasher.identityKey(`device|${device}`) : null,
    emailDomain: countedEmailDomain(email),
  };
}

export const fraudThresholdsOf = (ctx: { fraud?: FraudThresholds }): FraudThresholds =>
  ctx.fraud ?? DEFAULT_FRAUD_THRESHOLDS;

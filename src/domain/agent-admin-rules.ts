// Who manages which agent account, and how one-time enrolment secrets are shown. Pure.
//
//   * a national administrator manages every account;
//   * a supervisor manages the counter agents of their own prefecture — not other
//     supervisors (nor themselves): a supervisor who could disable their peers could take
//     a prefecture over alone;
//   * a counter agent manages nobody;
//   * nobody disables their own account nor resets their own second factor (they would lock
//     themselves out, or silently replace a factor someone else may have stolen).
import type { AgentRole, AgentScope } from './agent-rules.ts';

export interface ManagedAccount {
  id: string;
  role: AgentRole;
  prefectureId: string | null;
}

export function canManageAgent(actor: AgentScope & { id: string }, target: ManagedAccount): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'supervisor') return false;
  return target.role === 'counter' && target.prefectureId !== null && target.prefectureId === actor.prefectureId;
}

/** A self-action (disable, reset the second factor) is refused even to an administrator. */
export const isSelf = (actor: { id: string }, target: { id: string }): boolean => actor.id === target.id;

/** A base32 TOTP secret as people copy it into an app by hand: groups of four. "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP". */
export function groupSecret(secret: string): string {
  return (
    secret
      .replace(/\s+/g, '')
      .match(/.{1,4}/g)
      ?.join(' ') ?? ''
  );
}

// Passwords of new accounts are generated, never chosen by the creator: strong by
// construction (no rule to argue about, no "Prefecture93!"), and handed over once with the
// second factor on the same enrolment page. 20 characters from 31 unambiguous ones (no 0/o,
// 1/l/i, lower case only) ≈ 99 bits, in four groups of five to read out or type: "k7m2q-x9rtw-…".
const PASSWORD_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** The password from at least 20 random bytes (injected randomness). */
export function passwordFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 20) throw new Error('20 random bytes are needed');
  const chars = [...bytes.slice(0, 20)].map((b) => PASSWORD_ALPHABET[b % PASSWORD_ALPHABET.length]!);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

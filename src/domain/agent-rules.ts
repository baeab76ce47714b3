// Who an agent is and what they may do. Pure: the use cases pass the agent and the object.
//
// Roles and their scope:
//   * counter    — a counter agent: their prefecture, and within it only their sites
//                  (e.g. an agent of Bobigny does not see Saint-Denis' agenda);
//   * supervisor — the whole of one prefecture (all its sites), and its audit trail;
//   * admin      — national administrator: every prefecture, no prefecture of their own.
// An agent of 93 never sees nor changes anything of 973: every use case asks
// canAccessPrefecture / canAccessSite before reading or writing, and the HTTP layer answers
// FORBIDDEN_SCOPE (403) without a byte of the other prefecture's data.

export const AGENT_ROLES = ['counter', 'supervisor', 'admin'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

export const isAgentRole = (value: unknown): value is AgentRole => AGENT_ROLES.includes(value as AgentRole);

/** What the rules need to know about an agent. */
export interface AgentScope {
  role: AgentRole;
  /** null only for a national administrator. */
  prefectureId: string | null;
  /** The sites of a counter agent; ignored for the other roles. */
  siteIds: readonly string[];
}

/**
 * What a role may do. Counter agents run the counters and the phone: the agenda and check-in
 * of their sites, booking or filing for a caller, the call-back queue of their prefecture.
 * Supervisors add the configuration, statistics, the audit and the counter agents of their
 * prefecture; the national administrator everything, everywhere. Both review declared
 * urgencies (counter agents for the requests naming their sites); the list of likely
 * duplicates, which spans the whole prefecture, is the supervisors'.
 */
export type AgentPermission =
  | 'agenda.read'
  | 'checkin.write'
  | 'channel.book'
  | 'callbacks.handle'
  | 'stats.read'
  | 'audit.read'
  | 'configuration.edit'
  | 'agents.manage'
  | 'settings.national'
  /** Every prefecture's public numbers side by side (issue 17). */
  | 'stats.national'
  /** Capacity planning: the counter-hours a prefecture needs (issue 17 part 2). */
  | 'stats.capacity'
  | 'urgency.review'
  | 'duplicates.read'
  /** The evidence pack for a complaint, and the legal holds it places (issue 16 part 4). */
  | 'evidence.export'
  /** Held requests: clear or refuse them, the signals over time (issue 16 §3). */
  | 'fraud.review';

const COUNTER: AgentPermission[] = [
  'agenda.read',
  'checkin.write',
  'channel.book',
  'callbacks.handle',
  'urgency.review',
];
const SUPERVISOR: AgentPermission[] = [
  ...COUNTER,
  'stats.read',
  'stats.capacity',
  'audit.read',
  'configuration.edit',
  'agents.manage',
  'duplicates.read',
  'evidence.export',
  'fraud.review',
];

const PERMISSIONS: Record<AgentRole, ReadonlySet<AgentPermission>> = {
  counter: new Set(COUNTER),
  supervisor: new Set(SUPERVISOR),
  admin: new Set([...SUPERVISOR, 'settings.national', 'stats.national']),
};

export function can(agent: Pick<AgentScope, 'role'>, permission: AgentPermission): boolean {
  return PERMISSIONS[agent.role].has(permission);
}

export function canAccessPrefecture(agent: AgentScope, prefectureId: string): boolean {
  return agent.role === 'admin' || agent.prefectureId === prefectureId;
}

export function canAccessSite(agent: AgentScope, site: { id: string; prefectureId: string }): boolean {
  if (!canAccessPrefecture(agent, site.prefectureId)) return false;
  return agent.role !== 'counter' || agent.siteIds.includes(site.id);
}

/**
 * The prefecture whose data a listing shows: a supervisor's own (asking for another one is
 * refused, never widened), any for an administrator (null = all of them).
 * Returns undefined when the agent may not see it.
 */
export function scopedPrefecture(agent: AgentScope, asked: string | null): string | null | undefined {
  if (agent.role === 'admin') return asked;
  if (asked !== null && asked !== agent.prefectureId) return undefined;
  return agent.prefectureId;
}

/** A valid shape of account: an administrator has no prefecture, the others have one; only counter agents have sites. */
export function scopeProblem(scope: AgentScope): string | null {
  if (scope.role === 'admin' && scope.prefectureId !== null) return 'an administrator has no prefecture';
  if (scope.role !== 'admin' && scope.prefectureId === null)
    return 'a counter agent or supervisor belongs to a prefecture';
  if (scope.role === 'counter' && scope.siteIds.length === 0) return 'a counter agent works at one site at least';
  if (scope.role !== 'counter' && scope.siteIds.length > 0) return 'only counter agents are given sites';
  return null;
}

// Log-in throttling. Failures (wrong password or code, from any cause) are counted per
// account — the normalised email, whether it has an account or not, so that throttling
// tells nobody which addresses exist — and per (account, source address):
//   * a pair is blocked: 5 failures from one address on one account within 15 minutes
//     close that address for that account for 15 minutes (a lock-out, recorded as a
//     security event). Example: failures from 203.0.113.7 at 9:00:00…9:00:40 block it
//     until 9:15:40; the agent, from the office at 198.51.100.2, still logs in;
//   * an account is never blocked, only put "under pressure": once it has 5 failures within
//     15 minutes from any addresses, the password alone opens nothing and says nothing (the
//     password step answers alike for a right and a wrong one, app/agents/log-in.ts); only
//     the right password with the right TOTP code gets through. Guessing then needs the
//     password and a current code at once, so an attacker spread over many addresses learns
//     nothing, and cannot keep the agent out either.
export const PAIR_FAILURE_LIMIT = 5;
export const PAIR_BLOCK_MINUTES = 15;
export const ACCOUNT_PRESSURE_FAILURES = 5;
export const LOGIN_FAILURE_WINDOW_MINUTES = 15;

/** Once failures within the window reach the limit, the pair is blocked: exactly at the limit, so one lock-out is recorded per window. */
export const blocksPair = (failuresInWindow: number): boolean => failuresInWindow === PAIR_FAILURE_LIMIT;

export const isUnderPressure = (accountFailuresInWindow: number): boolean =>
  accountFailuresInWindow >= ACCOUNT_PRESSURE_FAILURES;

// Sessions: 12 hours at most (a working day), 2 hours idle; last_seen_at is written at most
// once a minute so that every page view does not cost a write.
export const SESSION_MAX_HOURS = 12;
export const SESSION_IDLE_MINUTES = 120;
export const SESSION_TOUCH_SECONDS = 60;

export function sessionExpiry(createdAt: Date): Date {
  return new Date(createdAt.getTime() + SESSION_MAX_HOURS * 3600_000);
}

export function isSessionLive(
  session: { expiresAt: Date; lastSeenAt: Date; revokedAt: Date | null },
  now: Date,
): boolean {
  if (session.revokedAt !== null) return false;
  if (session.expiresAt.getTime() <= now.getTime()) return false;
  return now.getTime() - session.lastSeenAt.getTime() < SESSION_IDLE_MINUTES * 60_000;
}

export function needsTouch(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= SESSION_TOUCH_SECONDS * 1000;
}

// The password step of the log-in is valid for 5 minutes: long enough to open the
// authenticator app, short enough that a forgotten tab does not keep it.
export const PASSWORD_STEP_MINUTES = 5;

/** Normalised email of an account: trimmed, lower case. */
export const normaliseAgentEmail = (email: string): string => email.trim().toLowerCase();

// Agent log-in, in two steps:
//   1. checkPassword: email and password → a short-lived signed "password ok" ticket (5 min),
//      which carries the agent's id, never the password;
//   2. checkSecondFactor: ticket and 6-digit TOTP code → a session (the token for the
//      cookie; the database stores its digest only).
// One refusal, AGENT_LOGIN_FAILED, for an unknown address, a wrong password, a wrong or
// reused code and a disabled account: nobody learns which addresses have accounts. An
// unknown address still costs one Argon2 verification (against a fixed hash), so it takes
// as long as a known one, and is throttled like one.
// Throttling (domain/agent-rules.ts), counted in the shared attempt limiter (Redis when set):
//   * 5 failures from one address on one account block that pair 15 minutes — recorded as a
//     security event 'agent_lockout' and audited 'agent.lockout'. AGENT_LOCKED is only said,
//     at the code step, to someone who gave the right password AND the right code from that
//     address; anyone else gets the uniform refusal (so a block is no password oracle);
//   * the account itself is never blocked: once under pressure (5 failures from any
//     addresses), step 1 answers a wrong password with a "blind" ticket that looks like a
//     good one and fails at step 2, so the password alone says nothing; the right password
//     with the right code, from an address that is not blocked, always gets in.
// Every outcome is audited: 'agent.login', 'agent.login_failed', 'agent.lockout'.
import { timingSafeEqual } from 'node:crypto';
import {
  blocksPair,
  isUnderPressure,
  LOGIN_FAILURE_WINDOW_MINUTES,
  normaliseAgentEmail,
  PAIR_BLOCK_MINUTES,
  PASSWORD_STEP_MINUTES,
  sessionExpiry,
} from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { clientAddressOf } from '../../domain/pow-difficulty.ts';
import type { Agent, AgentCredentialsRecord } from '../../ports/agent-store.ts';
import { emailHashForEvents } from '../applicants/email-verification.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';

/** Log-in reads accounts, then spends the TOTP step and opens the session, audited, in one transaction. */
type LogInContext = AgentContext<'accounts', 'accounts' | 'sessions' | 'audit'>;

type FailureReason = 'unknown' | 'password' | 'disabled' | 'locked' | 'totp' | 'totp_reused' | 'ticket';

// A valid Argon2id hash of a random password nobody knows: what an unknown address is checked against.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$HlnFRslcLReIHl3T8DwywA$YBb7M3jKIZMXXWG/t5p2ZMNZic4i4ttoKsc9fNjNSgs';

/** The limiter keys of one log-in: digests only (an address and an email never reach Redis). */
interface Throttle {
  /** Keyed digest of the normalised email: the same for an address with or without an account. */
  accountKey: string;
  accountFailures: string;
  pairFailures: string;
  pairBlock: string;
  /** Keyed hash of the email for security events, when the email is known here. */
  emailHash: string | null;
}

function throttleOf(ctx: LogInContext, accountKey: string, ip: string | null, emailHash: string | null): Throttle {
  const pair = ctx.hasher.identityKey(`agent-login-pair:${accountKey}|${ip === null ? '-' : clientAddressOf(ip)}`);
  return {
    accountKey,
    emailHash,
    accountFailures: `agent-login:account:${accountKey}`,
    pairFailures: `agent-login:pair:${pair}`,
    pairBlock: `agent-login:blocked:${pair}`,
  };
}

const throttleOfEmail = (ctx: LogInContext, email: string, ip: string | null): Throttle =>
  throttleOf(ctx, ctx.hasher.identityKey(`agent-login-account:${email}`), ip, emailHashForEvents(ctx.hasher, email));

/** The block of this (account, address) pair, if any: when it ends. */
async function pairBlockedUntil(ctx: LogInContext, throttle: Throttle, now: Date): Promise<Date | null> {
  const block = await ctx.limiter.peek(throttle.pairBlock);
  return block.current > 0 ? new Date(now.getTime() + block.ttlMs) : null;
}

function lockedError(until: Date, now: Date): DomainError {
  return new DomainError('AGENT_LOCKED', undefined, {
    lockedUntil: until.toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  });
}

/** Counts one failure on the account and the pair; the 5th on the pair blocks it. Returns the block's end when this failure set it. */
async function countFailure(
  ctx: LogInContext,
  origin: AgentOrigin,
  agent: AgentCredentialsRecord | null,
  throttle: Throttle,
  now: Date,
): Promise<Date | null> {
  const windowMs = LOGIN_FAILURE_WINDOW_MINUTES * 60_000;
  await ctx.limiter.count(throttle.accountFailures, windowMs);
  const pair = await ctx.limiter.count(throttle.pairFailures, windowMs);
  if (!blocksPair(pair.current)) return null;
  const block = await ctx.limiter.count(throttle.pairBlock, PAIR_BLOCK_MINUTES * 60_000);
  const until = new Date(now.getTime() + block.ttlMs);
  ctx.securityEvents.record({
    ip: origin.ip,
    route: origin.route ?? 'agent-login',
    reason: 'agent_lockout',
    emailHash: throttle.emailHash,
    details: { until: until.toISOString(), knownAccount: agent !== null },
  });
  return until;
}

async function fail(
  ctx: LogInContext,
  origin: AgentOrigin,
  agent: AgentCredentialsRecord | null,
  reason: FailureReason,
  throttle: Throttle | null,
): Promise<never> {
  const now = ctx.clock.now();
  // Refusals while blocked and forged tickets are not counted: a block is not extended by its own refusals.
  const blockedUntil = throttle && reason !== 'locked' ? await countFailure(ctx, origin, agent, throttle, now) : null;
  await ctx.agents.transaction(async (tx) => {
    const target = agent ? { target: { type: 'agent', id: agent.id } } : {};
    await recordAudit(tx.audit, {
      agent,
      action: 'agent.login_failed',
      at: now,
      ip: origin.ip,
      ...target,
      after: { reason, ...(blockedUntil ? { lockedUntil: blockedUntil.toISOString() } : {}) },
    });
    if (blockedUntil) {
      await recordAudit(tx.audit, {
        agent,
        action: 'agent.lockout',
        at: now,
        ip: origin.ip,
        ...target,
        after: { scope: 'address', lockedUntil: blockedUntil.toISOString() },
      });
    }
  });
  throw new DomainError('AGENT_LOGIN_FAILED');
}

// Ticket: "<agentId>.<expiresAtMs>.<accountKey>.<mac>", the HMAC keyed by the server secret.
// An open ticket carries a MAC over "open", a blind one (a wrong password while the account
// is under pressure) over "blind": nobody without the secret tells them apart.
type TicketKind = 'open' | 'blind';

function ticketMac(ctx: LogInContext, kind: TicketKind, agentId: string, expires: string, accountKey: string): string {
  return ctx.hasher.identityKey(`agent-login-ticket:${kind}:${agentId}:${expires}:${accountKey}`);
}

function signTicket(
  ctx: LogInContext,
  kind: TicketKind,
  agentId: string,
  expiresAt: number,
  accountKey: string,
): string {
  return `${agentId}.${expiresAt}.${accountKey}.${ticketMac(ctx, kind, agentId, String(expiresAt), accountKey)}`;
}

interface Ticket {
  agentId: string;
  accountKey: string;
  opens: boolean;
}

function readTicket(ctx: LogInContext, ticket: string, now: Date): Ticket | null {
  const [agentId, expires, accountKey, mac, extra] = ticket.split('.');
  if (!agentId || !expires || !accountKey || !mac || extra !== undefined || !/^\d{1,16}$/.test(expires)) return null;
  const given = Buffer.from(mac);
  const matches = (kind: TicketKind) => {
    const expected = Buffer.from(ticketMac(ctx, kind, agentId, expires, accountKey));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const opens = matches('open');
  if (!opens && !matches('blind')) return null;
  return Number(expires) > now.getTime() ? { agentId, accountKey, opens } : null;
}

/** The id a blind ticket shows for an address without an account: stable, and shaped like a real one (UUID v4). */
function standInAgentId(ctx: LogInContext, email: string): string {
  const hex = Buffer.from(ctx.hasher.identityKey(`agent-login-stand-in:${email}`), 'base64url').toString('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface PasswordStep {
  /** Carry it to the second step (an httpOnly cookie); valid 5 minutes. */
  ticket: string;
  expiresAt: Date;
  /** The server's now: a cookie's Max-Age counts from it (a browser's clock may be off). */
  issuedAt: Date;
}

export async function checkPassword(
  ctx: LogInContext,
  input: { email: string; password: string },
  origin: AgentOrigin,
): Promise<PasswordStep> {
  const email = normaliseAgentEmail(input.email).slice(0, 320);
  const agent = await ctx.agents.accounts.findByEmail(email);
  const passwordOk = await ctx.credentials.verifyPassword(
    agent?.passwordHash ?? DUMMY_HASH,
    input.password.slice(0, 1024),
  );
  const now = ctx.clock.now();
  const throttle = throttleOfEmail(ctx, email, origin.ip);
  const expiresAt = new Date(now.getTime() + PASSWORD_STEP_MINUTES * 60_000);
  // A blocked address learns at the code step, and only with the right code too.
  if (agent && passwordOk && !agent.disabledAt) {
    return {
      ticket: signTicket(ctx, 'open', agent.id, expiresAt.getTime(), throttle.accountKey),
      expiresAt,
      issuedAt: now,
    };
  }
  // Under pressure, or from a blocked address, a wrong password goes on to the code like a
  // right one (and is counted there): the password alone is no oracle.
  const saysNothing =
    (await pairBlockedUntil(ctx, throttle, now)) !== null ||
    isUnderPressure((await ctx.limiter.peek(throttle.accountFailures)).current);
  if (saysNothing) {
    return {
      ticket: signTicket(
        ctx,
        'blind',
        agent?.id ?? standInAgentId(ctx, email),
        expiresAt.getTime(),
        throttle.accountKey,
      ),
      expiresAt,
      issuedAt: now,
    };
  }
  return fail(ctx, origin, agent, !agent ? 'unknown' : !passwordOk ? 'password' : 'disabled', throttle);
}

export interface AgentLogIn {
  /** The session token for the cookie (shown once; stored as a digest). */
  token: string;
  expiresAt: Date;
  /** The server's now: the cookie's Max-Age counts from it. */
  issuedAt: Date;
  agent: Agent;
}

export async function checkSecondFactor(
  ctx: LogInContext,
  input: { ticket: string; code: string },
  origin: AgentOrigin,
): Promise<AgentLogIn> {
  const now = ctx.clock.now();
  const ticket = readTicket(ctx, input.ticket, now);
  if (!ticket) return fail(ctx, origin, null, 'ticket', null);
  const agent = await ctx.agents.accounts.findById(ticket.agentId);
  const throttle = throttleOf(
    ctx,
    ticket.accountKey,
    origin.ip,
    agent ? emailHashForEvents(ctx.hasher, agent.email) : null,
  );
  const opens = agent !== null && ticket.opens && !agent.disabledAt;
  const step = opens ? ctx.credentials.matchTotp(agent.totpSecret, input.code, now) : null;
  const blockedUntil = await pairBlockedUntil(ctx, throttle, now);
  if (blockedUntil) {
    // Only the agent (right password and code) learns why: a guesser learns nothing from a block.
    if (step !== null) throw lockedError(blockedUntil, now);
    return fail(ctx, origin, agent, 'locked', throttle);
  }
  if (!agent || !ticket.opens) return fail(ctx, origin, agent, agent ? 'password' : 'unknown', throttle);
  if (agent.disabledAt) return fail(ctx, origin, agent, 'disabled', throttle);
  if (step === null) return fail(ctx, origin, agent, 'totp', throttle);

  const token = ctx.secrets.managementToken();
  const expiresAt = sessionExpiry(now);
  const accepted = await ctx.agents.transaction(async (tx) => {
    if (!(await tx.accounts.recordLoginSuccess(agent.id, step))) return false;
    await tx.sessions.insert({
      id: ctx.hasher.tokenDigest(token),
      agentId: agent.id,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      revokedAt: null,
      ip: origin.ip,
      userAgent: origin.userAgent?.slice(0, 500) ?? null,
    });
    await recordAudit(tx.audit, {
      agent,
      action: 'agent.login',
      at: now,
      ip: origin.ip,
      target: { type: 'agent', id: agent.id },
    });
    return true;
  });
  // A code already used (by this agent a moment ago, or by someone who saw it) opens nothing.
  if (!accepted) return fail(ctx, origin, agent, 'totp_reused', throttle);
  const { passwordHash: _p, totpSecret: _s, lastTotpStep: _l, failedAttempts: _f, lockedUntil: _u, ...visible } = agent;
  return { token, expiresAt, issuedAt: now, agent: visible };
}

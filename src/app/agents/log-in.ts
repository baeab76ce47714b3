// Agent log-in, in two steps:
//   1. checkPassword: email and password → a short-lived signed "password ok" ticket (5 min),
//      which carries the agent's id, never the password;
//   2. checkSecondFactor: ticket and 6-digit TOTP code → a session (the token for the
//      cookie; the database stores its digest only).
// One refusal, AGENT_LOGIN_FAILED, for an unknown address, a wrong password, a wrong or
// reused code and a disabled account: nobody learns which addresses have accounts. An
// unknown address still costs one Argon2 verification (against a fixed hash), so it takes
// as long as a known one. AGENT_LOCKED is only said to someone who gave the right password:
// to anyone else a locked account looks like any failure.
// Lock-out: 5 failures in a row (password or code) lock the account 15 minutes
// (domain/agent-rules.ts). Every outcome is audited: 'agent.login', 'agent.login_failed'.
import { timingSafeEqual } from 'node:crypto';
import { afterFailure, isLocked, normaliseAgentEmail, PASSWORD_STEP_MINUTES, sessionExpiry } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent, AgentCredentialsRecord, AgentTransaction } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';

type FailureReason = 'unknown' | 'password' | 'disabled' | 'locked' | 'totp' | 'totp_reused' | 'ticket';

// A valid Argon2id hash of a random password nobody knows: what an unknown address is checked against.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$HlnFRslcLReIHl3T8DwywA$YBb7M3jKIZMXXWG/t5p2ZMNZic4i4ttoKsc9fNjNSgs';

async function fail(ctx: AgentContext, origin: AgentOrigin, agent: AgentCredentialsRecord | null, reason: FailureReason, count: boolean): Promise<never> {
  const now = ctx.clock.now();
  await ctx.agents.transaction(async (tx) => {
    let lockedUntil: Date | null = null;
    if (agent && count) {
      const state = afterFailure(agent.failedAttempts, now);
      lockedUntil = state.lockedUntil;
      await tx.recordLoginFailure(agent.id, state);
    }
    await recordAudit(tx, {
      agent, action: 'agent.login_failed', at: now, ip: origin.ip,
      ...(agent ? { target: { type: 'agent', id: agent.id } } : {}),
      after: { reason, ...(lockedUntil ? { lockedUntil: lockedUntil.toISOString() } : {}) },
    });
  });
  throw new DomainError('AGENT_LOGIN_FAILED');
}

// Ticket: "<agentId>.<expiresAtMs>.<hmac>", the HMAC keyed by the server secret.
function signTicket(ctx: AgentContext, agentId: string, expiresAt: number): string {
  const mac = ctx.hasher.identityKey(`agent-login-ticket:${agentId}:${expiresAt}`);
  return `${agentId}.${expiresAt}.${mac}`;
}

function readTicket(ctx: AgentContext, ticket: string, now: Date): string | null {
  const [agentId, expires, mac] = ticket.split('.');
  if (!agentId || !expires || !mac || !/^\d{1,16}$/.test(expires)) return null;
  const expected = Buffer.from(ctx.hasher.identityKey(`agent-login-ticket:${agentId}:${expires}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return Number(expires) > now.getTime() ? agentId : null;
}

export interface PasswordStep {
  /** Carry it to the second step (an httpOnly cookie); valid 5 minutes. */
  ticket: string;
  expiresAt: Date;
}

export async function checkPassword(ctx: AgentContext, input: { email: string; password: string }, origin: AgentOrigin): Promise<PasswordStep> {
  const agent = await ctx.agents.findAgentByEmail(normaliseAgentEmail(input.email).slice(0, 320));
  const passwordOk = await ctx.credentials.verifyPassword(agent?.passwordHash ?? DUMMY_HASH, input.password.slice(0, 1024));
  const now = ctx.clock.now();
  if (!agent) return fail(ctx, origin, null, 'unknown', false);
  if (isLocked(agent.lockedUntil, now)) {
    if (passwordOk) throw new DomainError('AGENT_LOCKED', undefined, { lockedUntil: agent.lockedUntil!.toISOString() });
    return fail(ctx, origin, agent, 'locked', false);
  }
  if (!passwordOk) return fail(ctx, origin, agent, 'password', true);
  if (agent.disabledAt) return fail(ctx, origin, agent, 'disabled', false);
  const expiresAt = new Date(now.getTime() + PASSWORD_STEP_MINUTES * 60_000);
  return { ticket: signTicket(ctx, agent.id, expiresAt.getTime()), expiresAt };
}

export interface AgentLogIn {
  /** The session token for the cookie (shown once; stored as a digest). */
  token: string;
  expiresAt: Date;
  agent: Agent;
}

export async function checkSecondFactor(ctx: AgentContext, input: { ticket: string; code: string }, origin: AgentOrigin): Promise<AgentLogIn> {
  const now = ctx.clock.now();
  const agentId = readTicket(ctx, input.ticket, now);
  const agent = agentId ? await ctx.agents.findAgentById(agentId) : null;
  if (!agent) return fail(ctx, origin, null, 'ticket', false);
  if (isLocked(agent.lockedUntil, now)) throw new DomainError('AGENT_LOCKED', undefined, { lockedUntil: agent.lockedUntil!.toISOString() });
  if (agent.disabledAt) return fail(ctx, origin, agent, 'disabled', false);
  const step = ctx.credentials.matchTotp(agent.totpSecret, input.code, now);
  if (step === null) return fail(ctx, origin, agent, 'totp', true);

  const token = ctx.secrets.managementToken();
  const expiresAt = sessionExpiry(now);
  const accepted = await ctx.agents.transaction(async (tx: AgentTransaction) => {
    if (!(await tx.recordLoginSuccess(agent.id, step))) return false;
    await tx.insertSession({
      id: ctx.hasher.tokenDigest(token), agentId: agent.id, createdAt: now, lastSeenAt: now, expiresAt, revokedAt: null,
      ip: origin.ip, userAgent: origin.userAgent?.slice(0, 500) ?? null,
    });
    await recordAudit(tx, { agent, action: 'agent.login', at: now, ip: origin.ip, target: { type: 'agent', id: agent.id } });
    return true;
  });
  // A code already used (by this agent a moment ago, or by someone who saw it) opens nothing.
  if (!accepted) return fail(ctx, origin, agent, 'totp_reused', true);
  const { passwordHash: _p, totpSecret: _s, lastTotpStep: _l, failedAttempts: _f, lockedUntil: _u, ...visible } = agent;
  return { token, expiresAt, agent: visible };
}

// Creates an agent account: by a national administrator, or by the `creneau agent create`
// command (actor null: the audit says "system"). Returns the TOTP secret and its otpauth://
// URI once, for the agent's authenticator app; only the encrypted secret is kept.
import { can, isAgentRole, normaliseAgentEmail, scopeProblem, type AgentRole } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';

export interface NewAgentInput {
  email: string;
  displayName: string;
  password: string;
  role: AgentRole;
  prefectureId: string | null;
  siteIds: string[];
  /** Given (the demo's known secrets) or generated. */
  totpSecret?: string;
}

export interface CreatedAgent {
  agent: Agent;
  totpSecret: string;
  totpUri: string;
}

export const MIN_PASSWORD_LENGTH = 12;

function invalid(message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { errors: [{ path: 'agent', message }] });
}

export async function createAgent(ctx: AgentContext, actor: Agent | null, input: NewAgentInput, origin: AgentOrigin = { ip: null, userAgent: null }): Promise<CreatedAgent> {
  if (actor && !can(actor, 'agents.manage')) throw new DomainError('FORBIDDEN_SCOPE');
  // A supervisor creates the counter agents of their own prefecture, nothing more.
  if (actor && actor.role !== 'admin' && (input.role !== 'counter' || input.prefectureId !== actor.prefectureId)) throw new DomainError('FORBIDDEN_SCOPE');
  const email = normaliseAgentEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320) throw invalid('email: not an email address');
  const displayName = input.displayName.trim();
  if (displayName.length === 0 || displayName.length > 200) throw invalid('name: 1 to 200 characters');
  if (!isAgentRole(input.role)) throw invalid('role: counter, supervisor or admin');
  if (input.password.length < MIN_PASSWORD_LENGTH) throw invalid(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  const problem = scopeProblem({ role: input.role, prefectureId: input.prefectureId, siteIds: input.siteIds });
  if (problem) throw invalid(problem);
  if (input.prefectureId !== null && !(await ctx.agents.prefectureExists(input.prefectureId))) throw new DomainError('PREFECTURE_NOT_FOUND');

  const totpSecret = input.totpSecret ?? ctx.credentials.newTotpSecret();
  const passwordHash = await ctx.credentials.hashPassword(input.password);
  const now = ctx.clock.now();
  const agent = await ctx.agents.transaction(async (tx) => {
    const created = await tx.insertAgent({ email, displayName, passwordHash, totpSecret, role: input.role, prefectureId: input.prefectureId, siteIds: input.siteIds, createdAt: now });
    await recordAudit(tx, {
      agent: actor, prefectureId: created.prefectureId, action: 'agent.create', at: now, ip: origin.ip,
      target: { type: 'agent', id: created.id },
      after: { email, displayName, role: created.role, prefectureId: created.prefectureId, siteIds: created.siteIds },
    });
    return created;
  });
  return { agent, totpSecret, totpUri: ctx.credentials.totpUri(totpSecret, email) };
}

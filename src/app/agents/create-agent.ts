// Creates an agent account: by a national administrator, a supervisor (counter agents of
// their prefecture), or the `creneau agent create` command (actor null: the audit says
// "system"). Returns the TOTP secret and its otpauth:// URI once, for the agent's
// authenticator app; only the encrypted secret is kept. Without a password given (the back-
// office pages and API), one is generated (domain/agent-admin-rules.ts: why) and returned once.
import { passwordFromBytes } from '../../domain/agent-admin-rules.ts';
import { type AgentRole, can, isAgentRole, normaliseAgentEmail, scopeProblem } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isSlug } from '../../domain/identifiers.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AgentContext, AgentOrigin } from './agent-context.ts';

export interface NewAgentInput {
  email: string;
  displayName: string;
  /** Absent: generated, and returned once in CreatedAgent.password. */
  password?: string;
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
  /** The generated password, when none was given (shown once, never stored in clear). */
  password?: string;
}

export const MIN_PASSWORD_LENGTH = 12;

/** The field of a form at fault: email, displayName, role, password, prefectureId or siteIds. */
export type NewAgentField = 'email' | 'displayName' | 'role' | 'password' | 'prefectureId' | 'siteIds';

function invalid(message: string, path: NewAgentField): DomainError {
  return new DomainError('VALIDATION_FAILED', message, { errors: [{ path, message }] });
}

export async function createAgent(
  ctx: AgentContext<'prefectures', 'accounts' | 'audit'>,
  actor: Agent | null,
  input: NewAgentInput,
  origin: AgentOrigin = { ip: null, userAgent: null },
): Promise<CreatedAgent> {
  if (actor && !can(actor, 'agents.manage')) throw new DomainError('FORBIDDEN_SCOPE');
  // A supervisor creates the counter agents of their own prefecture, nothing more.
  if (actor && actor.role !== 'admin' && (input.role !== 'counter' || input.prefectureId !== actor.prefectureId))
    throw new DomainError('FORBIDDEN_SCOPE');
  const email = normaliseAgentEmail(input.email);
  if (!/^[^\s@\u0000-\u001f\u007f]+@[^\s@\u0000-\u001f\u007f]+$/.test(email) || email.length > 320)
    throw invalid('email: not an email address', 'email');
  const displayName = input.displayName.trim();
  if (displayName.length === 0 || displayName.length > 200 || /[\u0000-\u001f\u007f]/.test(displayName))
    throw invalid('name: 1 to 200 characters', 'displayName');
  if (!isAgentRole(input.role)) throw invalid('role: counter, supervisor or admin', 'role');
  const generated = input.password === undefined ? passwordFromBytes(ctx.secrets.randomBytes(20)) : undefined;
  const password = input.password ?? generated!;
  if (password.length < MIN_PASSWORD_LENGTH)
    throw invalid(`password: at least ${MIN_PASSWORD_LENGTH} characters`, 'password');
  // Site ids are slugs: anything else (a forged form) is no site of any prefecture.
  if (!input.siteIds.every(isSlug)) throw invalid('sites: ids of sites of the prefecture', 'siteIds');
  const problem = scopeProblem({ role: input.role, prefectureId: input.prefectureId, siteIds: input.siteIds });
  if (problem) throw invalid(problem, /site/.test(problem) ? 'siteIds' : 'prefectureId');
  if (input.prefectureId !== null && !(await ctx.agents.prefectures.get(input.prefectureId)))
    throw new DomainError('PREFECTURE_NOT_FOUND');

  const totpSecret = input.totpSecret ?? ctx.credentials.newTotpSecret();
  const passwordHash = await ctx.credentials.hashPassword(password);
  const now = ctx.clock.now();
  const agent = await ctx.agents.transaction(async (tx) => {
    const created = await tx.accounts.insert({
      email,
      displayName,
      passwordHash,
      totpSecret,
      role: input.role,
      prefectureId: input.prefectureId,
      siteIds: input.siteIds,
      createdAt: now,
    });
    await recordAudit(tx.audit, {
      agent: actor,
      prefectureId: created.prefectureId,
      action: 'agent.create',
      at: now,
      ip: origin.ip,
      target: { type: 'agent', id: created.id },
      after: { email, displayName, role: created.role, prefectureId: created.prefectureId, siteIds: created.siteIds },
    });
    return created;
  });
  return {
    agent,
    totpSecret,
    totpUri: ctx.credentials.totpUri(totpSecret, email),
    ...(generated ? { password: generated } : {}),
  };
}

// The national cap of active appointments per email address (administrators only). Once set
// here, the environment's MAX_ACTIVE_APPOINTMENTS_PER_EMAIL no longer overrides it at start-up
// (app_setting.edited_at, migration 0008): the environment is only the initial value. The
// database's trigger reads the cap at each booking; addresses already above a lowered cap keep
// their appointments and cannot book more until they are under it.
import { assertNoProblems, emailCapProblems } from '../../domain/configuration-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { AgentOrigin } from '../agents/agent-context.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConfigurationContext } from './configuration-context.ts';
import { requirePermission } from './configuration-scope.ts';

export async function updateEmailCap(
  ctx: ConfigurationContext<never, 'settings' | 'audit'>,
  agent: Agent,
  input: { maxActivePerEmail: number },
  origin: Pick<AgentOrigin, 'ip'>,
): Promise<number> {
  requirePermission(agent, 'settings.national');
  assertNoProblems(emailCapProblems(input.maxActivePerEmail));
  return ctx.store.transaction(async (tx) => {
    const before = await tx.settings.emailCap();
    const now = ctx.clock.now();
    await tx.settings.setEmailCap(input.maxActivePerEmail, now);
    await recordAudit(tx.audit, {
      agent,
      prefectureId: null,
      action: 'setting.update',
      target: { type: 'setting', id: 'max_active_appointments_per_email' },
      before: { value: before },
      after: { value: input.maxActivePerEmail },
      at: now,
      ip: origin.ip,
    });
    return input.maxActivePerEmail;
  });
}

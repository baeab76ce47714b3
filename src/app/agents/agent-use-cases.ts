// The agents feature's use cases, bound to their ports: log-in (password, then code), the
// session check of every back-office request, log-out, account administration and the audit trail.
import { exportAuditCsv } from '../audit/export-audit-csv.ts';
import { listAudit } from '../audit/list-audit.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import type { AgentContext } from './agent-context.ts';
import { authenticateSession } from './authenticate-session.ts';
import { createAgent } from './create-agent.ts';
import { disableAgent, disableAgentById } from './disable-agent.ts';
import { listAgentAccounts } from './list-agents.ts';
import { checkPassword, checkSecondFactor } from './log-in.ts';
import { logOut } from './log-out.ts';
import { viewManagedAgent } from './managed-agent.ts';
import { resetAgentTotp } from './reset-totp.ts';

export const agentUseCases = (ctx: AgentContext) =>
  bindUseCases(ctx, {
    checkPassword,
    checkSecondFactor,
    authenticateSession,
    logOut,
    createAgent,
    disableAgent,
    disableAgentById,
    listAgentAccounts,
    viewManagedAgent,
    resetAgentTotp,
    listAudit,
    exportAuditCsv,
  });

export type AgentUseCases = ReturnType<typeof agentUseCases>;

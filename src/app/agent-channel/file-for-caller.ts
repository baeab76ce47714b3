// An agent files an appointment request for a caller (any procedure done at a counter: the
// request joins the queue and is drawn with the others): the same use case as online (app/requests/file-request.ts), the same checks,
// the same acknowledgement email — minus the email code. A request needs an email: its offers
// are sent by email. A counter agent files for their own sites only. The audit event
// ('request.file_for_caller') commits in the filing's transaction.
import { type AgentChannel, callerPhoneOf, requestAuditRecord } from '../../domain/agent-channel-rules.ts';
import { type AgentScope, can, canAccessPrefecture, canAccessSite } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import type { CallerIdentity } from '../../domain/identity.ts';
import type { Language } from '../../domain/language.ts';
import type { PreferencesInput } from '../../domain/request-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { fileRequest, type RequestConfirmation } from '../requests/file-request.ts';
import type { RequestContext } from '../requests/request-context.ts';
import type { AgentRequestOrigin } from './book-for-caller.ts';

export interface FileForCallerInput {
  prefectureId: string;
  procedureId: string;
  preferences: PreferencesInput;
  urgencyDate?: string | null | undefined;
  applicant: CallerIdentity;
  channel: AgentChannel;
  language?: Language | undefined;
}

export async function fileForCaller(
  ctx: RequestContext,
  agent: Agent & AgentScope,
  input: FileForCallerInput,
  origin: AgentRequestOrigin,
): Promise<RequestConfirmation> {
  if (!can(agent, 'channel.book') || !canAccessPrefecture(agent, input.prefectureId))
    throw new DomainError('FORBIDDEN_SCOPE');
  for (const siteId of input.preferences.siteIds) {
    if (!canAccessSite(agent, { id: siteId, prefectureId: input.prefectureId }))
      throw new DomainError('FORBIDDEN_SCOPE', undefined, { siteId });
  }
  // Without email the request is refused below (offers go by email): say that, not "no phone".
  const phone = input.applicant.email === null ? null : callerPhoneOf(input.applicant);
  const { confirmation } = await fileRequest(
    ctx,
    { ...input, applicant: { ...input.applicant, phone }, channel: input.channel },
    {
      origin: { ip: null, route: origin.route },
      alsoInTransaction: async (tx, request) => {
        await recordAudit(tx, {
          agent,
          prefectureId: request.prefectureId,
          action: 'request.file_for_caller',
          target: { type: 'allocation_request', id: request.id },
          after: requestAuditRecord(request, input.channel),
          at: ctx.clock.now(),
          ip: origin.ip,
        });
      },
    },
  );
  return confirmation;
}

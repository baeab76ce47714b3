// "Book for this caller" from a call-back (issue 15, Agents 11): the booking form opens with
// the call-back's number (and language) already filled in. The address carries the call-back's
// id only — never the phone number — and the number is read here, within the agent's scope.
import { type AgentScope, can, canAccessPrefecture } from '../../domain/agent-rules.ts';
import { DomainError } from '../../domain/errors.ts';
import { isUuid } from '../../domain/identifiers.ts';
import { LANGUAGES, type Language } from '../../domain/language.ts';
import type { CallbackStore } from '../../ports/callback-store.ts';

export interface CallbackCaller {
  callbackId: string;
  reference: string | null;
  prefectureId: string;
  /** Normalised ("0612345678"), as the booking form's phone field takes it. */
  phone: string;
  /** The language of the messages, when the caller asked for one the service writes in. */
  language: Language | null;
}

/** The caller of a call-back the agent may see; another prefecture's, or an unknown id, is CALLBACK_NOT_FOUND. */
export async function callerOfCallback(
  ctx: { callbacks: Pick<CallbackStore, 'findCallbackRequest'> },
  agent: AgentScope,
  callbackId: string,
): Promise<CallbackCaller> {
  if (!can(agent, 'channel.book') || !can(agent, 'callbacks.handle')) throw new DomainError('FORBIDDEN_SCOPE');
  const callback = isUuid(callbackId) ? await ctx.callbacks.findCallbackRequest(callbackId) : null;
  if (!callback || !canAccessPrefecture(agent, callback.prefectureId)) throw new DomainError('CALLBACK_NOT_FOUND');
  return {
    callbackId: callback.id,
    reference: callback.reference,
    prefectureId: callback.prefectureId,
    phone: callback.phone,
    language: LANGUAGES.find((l) => l === callback.language) ?? null,
  };
}

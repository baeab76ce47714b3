// The agent channel's use cases (booking or filing for a caller), bound to their context: the
// booking and request contexts, whose use cases they reuse, and the convocation signer.

import type { AgentScope } from '../../domain/agent-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { RequestContext } from '../requests/request-context.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import { type AgentRequestOrigin, type BookForCallerInput, bookForCaller } from './book-for-caller.ts';
import { callerChoices, siteInScope } from './caller-choices.ts';
import { callerFormSubject } from './caller-form-subject.ts';
import { fileForCaller } from './file-for-caller.ts';
import { keepChosenSlot } from './keep-chosen-slot.ts';
import { listReservedSlots } from './list-reserved-slots.ts';

export interface AgentChannelContext extends RequestContext {
  /** Signs the printable convocation of a booking. */
  signer: ConvocationSigner;
}

const bookWithSigner = (
  ctx: AgentChannelContext,
  agent: Agent & AgentScope,
  input: BookForCallerInput,
  origin: AgentRequestOrigin,
) => bookForCaller(ctx, ctx.signer, agent, input, origin);

export const agentChannelUseCases = (ctx: AgentChannelContext) =>
  bindUseCases(ctx, {
    callerChoices,
    siteInScope,
    listReservedSlots,
    keepChosenSlot,
    callerFormSubject,
    bookForCaller: bookWithSigner,
    fileForCaller,
  });

export type AgentChannelUseCases = ReturnType<typeof agentChannelUseCases>;

// The agent channel's use cases, bound to their context: booking or filing for a caller (the
// booking and request use cases, reused), and finding a person to cancel, move or print for them.

import type { AgentScope } from '../../domain/agent-rules.ts';
import type { Agent } from '../../ports/agent-store.ts';
import { bindUseCases } from '../shared/use-cases.ts';
import type { AgentChannelContext } from './agent-channel-context.ts';
import { type AgentRequestOrigin, type BookForCallerInput, bookForCaller } from './book-for-caller.ts';
import { callerChoices, siteInScope } from './caller-choices.ts';
import { callerFormSubject } from './caller-form-subject.ts';
import { callerOfCallback } from './caller-of-callback.ts';
import { cancelForCaller } from './cancel-for-caller.ts';
import { fileForCaller } from './file-for-caller.ts';
import { keepChosenSlot } from './keep-chosen-slot.ts';
import { listReservedSlots } from './list-reserved-slots.ts';
import { moveForCaller } from './move-for-caller.ts';
import { openCallerAppointment } from './open-caller-appointment.ts';
import { printCallerConvocation } from './print-caller-convocation.ts';
import { searchCallers } from './search-callers.ts';

export type { AgentChannelContext };

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
    callerOfCallback,
    bookForCaller: bookWithSigner,
    fileForCaller,
    searchCallers,
    openCallerAppointment,
    cancelForCaller,
    moveForCaller,
    printCallerConvocation,
  });

export type AgentChannelUseCases = ReturnType<typeof agentChannelUseCases>;

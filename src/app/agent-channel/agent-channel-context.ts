// What the agent channel's use cases need: the booking and request contexts, whose use cases
// they reuse, the convocation signer, the search for people and the call-backs booked for. Put together in
// src/features/agent-channel.ts.
import type { CallbackStore } from '../../ports/callback-store.ts';
import type { CallerSearch } from '../../ports/caller-search.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { RequestContext } from '../requests/request-context.ts';

export interface AgentChannelContext extends RequestContext {
  /** Signs the printable convocation of a booking. */
  signer: ConvocationSigner;
  /** The search for people, by name, reference, phone, email or document. */
  callerSearch: CallerSearch;
  /** The call-back an agent books for (its number read here, never from the address). */
  callbacks: Pick<CallbackStore, 'findCallbackRequest'>;
}

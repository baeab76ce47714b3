// What the agent channel's use cases need: the booking and request contexts, whose use cases
// they reuse, the convocation signer and the search for people. Put together in
// src/features/agent-channel.ts.
import type { CallerSearch } from '../../ports/caller-search.ts';
import type { ConvocationSigner } from '../../ports/convocation-signer.ts';
import type { RequestContext } from '../requests/request-context.ts';

export interface AgentChannelContext extends RequestContext {
  /** Signs the printable convocation of a booking. */
  signer: ConvocationSigner;
  /** The search for people, by name, reference, phone, email or document. */
  callerSearch: CallerSearch;
}

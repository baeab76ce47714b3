// What the evidence pack's use cases work with (issue 16, part 4): the store that reads a scope,
// the holds' transaction (a pack places its hold with its audit events), the file formats, the
// server's signing key, the clock.
import type { Clock } from '../../ports/clock.ts';
import type { EvidencePackFormat, EvidencePackStore, PackSigner } from '../../ports/evidence-pack.ts';
import type { RetentionStore } from '../../ports/retention-store.ts';

export interface EvidencePackContext {
  packs: EvidencePackStore;
  retention: RetentionStore;
  format: EvidencePackFormat;
  signer: PackSigner;
  clock: Clock;
}

// What the configuration use cases need: ports only, wired in main.ts (and test/support/http.ts).
// Each use case names the readers and repositories it uses (ConfigurationStore<R, W>).
import type { Clock } from '../../ports/clock.ts';
import type {
  ConfigurationReaders,
  ConfigurationRepositories,
  ConfigurationStore,
} from '../../ports/configuration-store.ts';
import type { Hasher, SecretGenerator } from '../../ports/secrets.ts';

export interface ConfigurationContext<
  R extends keyof ConfigurationReaders = keyof ConfigurationReaders,
  W extends keyof ConfigurationRepositories = keyof ConfigurationRepositories,
> {
  store: ConfigurationStore<R, W>;
  clock: Clock;
  /** Days of slots kept ahead (SLOTS_HORIZON_DAYS): how far a change reconciles the slots. */
  horizonDays: number;
  /**
   * A closure files a request, at the head of the queue, for a person it cancels who had none
   * (a reference and a management token); absent, such a person gets the link to file one.
   */
  secrets?: Pick<SecretGenerator, 'randomBytes' | 'managementToken'>;
  hasher?: Pick<Hasher, 'tokenDigest'>;
}

// What the way back in uses: its store (references → holders, a new management token) and
// the email-code machinery shared with booking and requests.
import type { AccessStore } from '../../ports/access-store.ts';
import type { EmailCodeDeps } from '../applicants/email-verification.ts';

export interface AccessContext extends EmailCodeDeps {
  access: AccessStore;
}

// The way back in (app/access/): what a reference tells about its holder, and the new
// management token that opens it on the device of the person who proved the address on file.
import type { Language } from '../domain/language.ts';
import type { EmailVerificationConsumer } from './email-verification-store.ts';
import type { OutboxWriter } from './outbox.ts';

/** What a booking or request reference leads to: never shown to the person who typed it. */
export interface AccessHolder {
  kind: 'appointment' | 'request';
  id: string;
  reference: string;
  /** Null for a phone or counter appointment of someone without email: no code can reach them. */
  email: string | null;
  birthDate: string;
  givenNames: string;
  surname: string;
  language: Language;
}

export interface AccessTransaction extends EmailVerificationConsumer, OutboxWriter {
  /**
   * Replaces the management token digest of the holder (the old emailed link stops opening
   * it); false when the holder is no longer in a state it can be opened in.
   */
  replaceManagementToken(holder: Pick<AccessHolder, 'kind' | 'id'>, tokenHash: string, now: Date): Promise<boolean>;
}

export interface AccessStore {
  /** A booked appointment, or a live or booked request, of this reference (normalised); null otherwise. */
  findHolder(reference: string): Promise<AccessHolder | null>;
  transaction<T>(work: (tx: AccessTransaction) => Promise<T>): Promise<T>;
}

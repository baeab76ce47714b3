// Password hashing and the TOTP second factor (RFC 6238), behind a port so the use cases
// neither import the libraries nor read the clock themselves.
export interface AgentCredentials {
  /** An Argon2id PHC string ($argon2id$v=19$…). */
  hashPassword(password: string): Promise<string>;
  verifyPassword(hash: string, password: string): Promise<boolean>;
  /** A new random TOTP secret, base32 (160 bits). */
  newTotpSecret(): string;
  /** otpauth://totp/Créneau:<label>?secret=…&issuer=Créneau — for the authenticator app's QR code. */
  totpUri(secret: string, label: string): string;
  /** The time step of `code` if it is valid at `now`, within ±1 step (30 s); null otherwise. */
  matchTotp(secret: string, code: string, now: Date): number | null;
}

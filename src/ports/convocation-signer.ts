// Signs and checks convocations. Ed25519 today (adapters/ed25519-signer.ts): the public key
// alone lets a future offline scanner check a convocation without holding the secret.
export interface ConvocationSigner {
  /** The signature of `message` (64 bytes for Ed25519). */
  sign(message: Uint8Array): Uint8Array;
  /** True only for a valid signature of exactly `message`; never throws. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

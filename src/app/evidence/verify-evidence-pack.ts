// `creneau evidence verify-pack FILE.zip [--public-key FILE]`: an evidence pack checked as the
// investigator's guide says (domain/evidence-pack.ts verifyPackFiles) — the manifest's signature
// with the key trusted (the CLI's --public-key, or this server's), every file's hash, events.csv against
// events.json, every event against its link, the links up to the head. Every problem named.
import { type PackVerification, verifyPackFiles } from '../../domain/evidence-pack.ts';
import type { PackSigner } from '../../ports/evidence-pack.ts';
import type { EvidencePackContext } from './evidence-pack-context.ts';

export interface PackReport extends PackVerification {
  /** The key the signature was checked with. */
  keyId: string | null;
}

export function verifyEvidencePack(
  ctx: Pick<EvidencePackContext, 'format'> & { signer: Pick<PackSigner, 'publicKeyPem' | 'keyId'> },
  input: { zip: Uint8Array },
): PackReport {
  const files = ctx.format.unzip(input.zip);
  if (!files)
    return {
      ok: false,
      problems: [{ file: '(the pack)', problem: 'not a readable ZIP file' }],
      manifest: null,
      events: 0,
      links: 0,
      keyId: null,
    };
  const pem = ctx.signer.publicKeyPem;
  const report = verifyPackFiles(files, (message, signature) => ctx.format.signatureValid(pem, message, signature));
  return { ...report, keyId: ctx.signer.keyId };
}

/** The public key packs (and convocations) are signed with: what an investigator checks against. */
export const evidencePublicKey = (ctx: { signer: Pick<PackSigner, 'publicKeyPem' | 'keyId'> }) => ({
  pem: ctx.signer.publicKeyPem,
  keyId: ctx.signer.keyId,
});

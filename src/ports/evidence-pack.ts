// The evidence pack (issue 16, part 4; domain/evidence-pack.ts): what the store reads for a
// scope, and the file formats (ZIP, PDF) an adapter writes and reads.
import type { AgentRole } from '../domain/agent-rules.ts';
import type { ChainPoint } from '../domain/evidence-chain.ts';
import type { PackEvent, PackLink, PackScope } from '../domain/evidence-pack.ts';
import type { EvidenceHold } from '../domain/retention.ts';
import type { ConvocationSigner } from './convocation-signer.ts';

export interface PackAgent {
  id: string;
  email: string;
  role: AgentRole;
  prefectureId: string | null;
  siteIds: string[];
}

export interface PackContents {
  /** Every event in scope and every record named, in no particular order. */
  events: PackEvent[];
  /** Ids named by the scope that are not requests (appointments) of its prefecture. */
  unknownRequestIds: string[];
  unknownAppointmentIds: string[];
}

/** A hold as the supervisors' page lists it: who placed it, and their prefecture. */
export interface ListedHold extends EvidenceHold {
  createdByEmail: string;
  createdAt: Date;
  /** The prefecture of the agent who placed it (null: a national administrator). */
  prefectureId: string | null;
}

export interface EvidencePackStore {
  /** The active agent account of this work email; null when there is none. */
  agentByEmail(email: string): Promise<PackAgent | null>;
  /** The prefecture's name; null when there is no such prefecture. */
  prefectureName(id: string): Promise<string | null>;
  /** The events in scope (security, audit, draws, commitments) and the records it names, with their links. */
  read(scope: PackScope): Promise<PackContents>;
  /** The chain's head, and its links from `fromSeq` up to it (none when fromSeq is null). */
  chainFrom(fromSeq: number | null): Promise<{ head: ChainPoint; links: PackLink[] }>;
  /** Active holds, newest first: those placed by agents of this prefecture (null: all). */
  activeHolds(prefectureId: string | null): Promise<ListedHold[]>;
}

/** The signer of convocations, with its public key: a pack's manifest is signed with it. */
export interface PackSigner extends ConvocationSigner {
  /** SPKI PEM. */
  readonly publicKeyPem: string;
  /** SHA-256 of the public key (base64url, 16 characters). */
  readonly keyId: string;
}

export interface EvidencePackFormat {
  /** A ZIP of these files, in this order, each dated `at`: the same files and instant give the same bytes. */
  zip(files: readonly { name: string; bytes: Uint8Array }[], at: Date): Uint8Array;
  /** The files of a ZIP; null when it is not a readable ZIP. */
  unzip(bytes: Uint8Array): Map<string, Uint8Array> | null;
  /** A PDF of a title and lines (A4, wrapped), dated `createdAt`: the same input gives the same bytes. */
  /** Whether `signature` is an Ed25519 signature of `message` by this public key (SPKI PEM); never throws. */
  signatureValid(publicKeyPem: string, message: Uint8Array, signature: Uint8Array): boolean;
  summaryPdf(summary: { title: string; lines: readonly string[]; createdAt: Date }): Promise<Uint8Array>;
}

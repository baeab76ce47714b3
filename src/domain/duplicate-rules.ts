// Likely duplicates: one person queueing or booking under several identity documents
// ("speed and lies buy nothing", issue 11 §3). Two identity documents (identity keys) are
// linked when one of their live requests or active appointments has
//   * the same names and birth date — names compared as domain/identity.ts normaliseName
//     does (no case, accents, punctuation nor spacing), surname and given names in either
//     field ("DIALLO / Aminata" = "Aminata / Diallo", typed the wrong way round), or
//   * the same email (emailKey: plus-addressing and Gmail dots are one inbox).
// A group is every identity key reachable through such links (connected components), with
// at least two keys. The group is flagged for an agent, never refused: twins share a birth
// date, families an email address. Pure: the store gives the records, this groups them.
import { normaliseName } from './identity.ts';

export type DuplicateReasonKind = 'name_birth_date' | 'email';

/** One live request or active appointment, as the grouping needs it. */
export interface DuplicateCandidate {
  /** Unique among the records given (e.g. "request:<id>"). */
  key: string;
  identityKey: string;
  surname: string;
  givenNames: string;
  birthDate: string;
  /** null for a phone / counter appointment of someone without email. */
  emailKey: string | null;
  /** For the order of the records and of the groups (oldest first). */
  since: Date;
}

/** Why the records of a group look like one person. */
export interface DuplicateReason {
  kind: DuplicateReasonKind;
  /** The shared value: "DIALLO AMINATA|1990-04-12" (normalised names, sorted) or the email key. */
  value: string;
  /** The records sharing it (their `key`), oldest first. */
  recordKeys: string[];
}

export interface DuplicateGroup<T extends DuplicateCandidate> {
  /** Oldest first. */
  records: T[];
  /** How many identity documents the group spans (2 or more). */
  identityCount: number;
  /** Each shared value linking two documents or more, names first. */
  reasons: DuplicateReason[];
}

/** Names in either order, normalised: the same person typed "surname / given names" the wrong way round still matches. */
export function nameBirthDateKey(
  record: Pick<DuplicateCandidate, 'surname' | 'givenNames' | 'birthDate'>,
): string | null {
  const names = [normaliseName(record.surname), normaliseName(record.givenNames)].filter((n) => n !== '').sort();
  if (names.length === 0) return null;
  return `${names.join(' ')}|${record.birthDate}`;
}

function byAge(a: { since: Date; key: string }, b: { since: Date; key: string }): number {
  return a.since.getTime() - b.since.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** The likely duplicates among `records`: groups of two identity documents or more, oldest group first. */
export function groupLikelyDuplicates<T extends DuplicateCandidate>(records: readonly T[]): DuplicateGroup<T>[] {
  // Union-find over identity keys.
  const parent = new Map<string, string>();
  const find = (k: string): string => {
    let root = k;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let node = k;
    while (node !== root) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a),
      rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const r of records) if (!parent.has(r.identityKey)) parent.set(r.identityKey, r.identityKey);

  // Shared values → the records holding them.
  const shared = new Map<string, { kind: DuplicateReasonKind; value: string; records: T[] }>();
  const add = (kind: DuplicateReasonKind, value: string | null, record: T) => {
    if (value === null || value === '') return;
    const id = `${kind}\u0000${value}`;
    const entry = shared.get(id) ?? { kind, value, records: [] };
    entry.records.push(record);
    shared.set(id, entry);
  };
  for (const r of records) {
    add('name_birth_date', nameBirthDateKey(r), r);
    add('email', r.emailKey, r);
  }
  const linking = [...shared.values()].filter((s) => new Set(s.records.map((r) => r.identityKey)).size > 1);
  for (const s of linking) for (const r of s.records.slice(1)) union(s.records[0]!.identityKey, r.identityKey);

  const groups = new Map<string, { records: T[]; reasons: DuplicateReason[] }>();
  for (const r of records) {
    const root = find(r.identityKey);
    const group = groups.get(root) ?? { records: [], reasons: [] };
    group.records.push(r);
    groups.set(root, group);
  }
  for (const s of linking) {
    groups
      .get(find(s.records[0]!.identityKey))!
      .reasons.push({ kind: s.kind, value: s.value, recordKeys: [...s.records].sort(byAge).map((r) => r.key) });
  }
  const order: Record<DuplicateReasonKind, number> = { name_birth_date: 0, email: 1 };
  return [...groups.values()]
    .map((g) => ({
      records: [...g.records].sort(byAge),
      identityCount: new Set(g.records.map((r) => r.identityKey)).size,
      reasons: g.reasons.sort(
        (a, b) => order[a.kind] - order[b.kind] || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
      ),
    }))
    .filter((g) => g.identityCount > 1)
    .sort((a, b) => byAge(a.records[0]!, b.records[0]!));
}

/** The keys of the records that belong to a group of likely duplicates. */
export function likelyDuplicateKeys(records: readonly DuplicateCandidate[]): Set<string> {
  return new Set(groupLikelyDuplicates(records).flatMap((g) => g.records.map((r) => r.key)));
}

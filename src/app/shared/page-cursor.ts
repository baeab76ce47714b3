// "<instant ISO>~<id>": where the next page of a list ordered by (instant, id) starts. Both
// halves are checked (a UUID, a canonical instant): a forged cursor is refused, not queried.
import { isUuid } from '../../domain/identifiers.ts';

export const encodePageCursor = (at: Date, id: string): string => `${at.toISOString()}~${id}`;

/** The instant and the id (lower case) of a cursor; null unless it is one. */
export function decodePageCursor(cursor: string): { at: Date; id: string } | null {
  const tilde = cursor.indexOf('~');
  if (tilde < 0) return null;
  const instant = cursor.slice(0, tilde);
  const id = cursor.slice(tilde + 1);
  const at = new Date(instant);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== instant || !isUuid(id)) return null;
  return { at, id: id.toLowerCase() };
}

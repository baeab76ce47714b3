// Named (prepared) statements. node-postgres sends a query with parameters as an unnamed
// statement, which PostgreSQL parses and plans again at every execution; the booking's
// statements join three or four tables, and planning them was most of PostgreSQL's CPU under
// load (BENCHMARKS.md). A named statement is parsed and planned once per connection.
//   * Each distinct text gets a name for the life of the process; the map is capped, so texts
//     that vary (an `in (…)` list of any length) stay unnamed past the cap instead of growing it.
//   * Texts that select `*` stay unnamed: once a migration adds a column, PostgreSQL refuses the
//     cached plan of such a statement ("cached plan must not change result type") on every
//     connection of an instance still running, e.g. during a rolling upgrade.
//   * Queries without parameters (BEGIN, COMMIT, DDL) keep the simple protocol.
//   * A prepared statement may be planned generically, with parameters unknown: a predicate
//     that must match a partial index at plan time (ON CONFLICT … WHERE) has to be a literal.
// PGlite (pglite-dialect.ts) names the same texts: there a statement also costs one call into
// the engine instead of several.
const MAX_NAMED_STATEMENTS = 500;
const statementNames = new Map<string, string | null>();
const SELECTS_STAR = /(?:\bselect|\breturning|,)\s*(?:"[^"]*"\.)?\*/i;

/** The name of `text`'s prepared statement, or null for one sent unnamed. */
export function statementName(text: string): string | null {
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= MAX_NAMED_STATEMENTS) return null;
    name = SELECTS_STAR.test(text) ? null : `creneau_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

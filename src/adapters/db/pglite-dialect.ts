// Kysely on the embedded PGlite, one statement per call into the engine where it can be.
// PGlite's own `query()` makes six calls into the WebAssembly engine for every statement
// (Parse, Describe, Bind, Describe, Execute, Sync, each a round of its protocol loop), and
// parses and plans the text again each time; BEGIN and COMMIT too. Here:
//   * a statement with parameters is prepared once under the name PostgreSQL would give it
//     (statement-names.ts), with its parameters' types; later runs are one call:
//     Bind, Describe, Execute, Sync;
//   * a statement without parameters (BEGIN, COMMIT, DDL) is one call: Parse, Bind, Describe,
//     Execute, Sync;
//   * an unnamed one with parameters (`select *`, or past the cap of names) two: its types
//     first, then the run.
// Values are serialised by PGlite's own serialisers for the types PostgreSQL gives, and rows
// parsed by its parsers, as `query()` does: the results are the same (test/storage/
// pglite-dialect.test.ts). A named pglite statement: 0.41 ms where `query()` took 0.91.
import { type messages as backend, type PGlite, parse, protocol, types } from '@electric-sql/pglite';
import {
  CompiledQuery as Compiled,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { statementName } from './statement-names.ts';

const { serialize } = protocol;
type BackendMessage = backend.BackendMessage;

/** Rows a command changed, from its tag ("INSERT 0 3", "UPDATE 2"). */
function rowsChanged(tag: string): number {
  const [command, a, b] = tag.split(' ');
  if (command === 'INSERT') return Number(b);
  return command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' || command === 'COPY' ? Number(a) : 0;
}

/** Per PGlite instance (a session of its own, whichever Kysely uses it): the named statements prepared on it, with their parameters' types. */
const preparedOn = new WeakMap<PGlite, Map<string, number[]>>();

class PgliteConnection implements DatabaseConnection {
  private readonly prepared: Map<string, number[]>;

  constructor(private readonly pglite: PGlite) {
    let prepared = preparedOn.get(pglite);
    if (!prepared) preparedOn.set(pglite, (prepared = new Map()));
    this.prepared = prepared;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.pglite.runExclusive(async () => {
      try {
        return await this.run<R>(query.sql, query.parameters);
      } catch (error) {
        if (error && typeof error === 'object') Object.assign(error, { query: query.sql });
        throw error;
      }
    });
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }

  private async run<R>(text: string, parameters: readonly unknown[]): Promise<QueryResult<R>> {
    const run = (statement: string, types: number[]) => [
      serialize.bind({ statement, values: parameters.map((value, i) => this.serialised(value, types[i])) }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    ];
    const name = parameters.length > 0 ? statementName(text) : null;
    let messages: Uint8Array[];
    if (parameters.length === 0) messages = [serialize.parse({ text }), ...run('', [])];
    else {
      const statement = name ?? '';
      let types = name ? this.prepared.get(name) : undefined;
      if (!types) {
        const described = await this.call([
          serialize.parse({ name: statement, text }),
          serialize.describe({ type: 'S', name: statement }),
          serialize.sync(),
        ]);
        types = parse.parseDescribeStatementResults(described.messages);
        if (name) this.prepared.set(name, types);
      }
      messages = run(statement, types);
    }
    return this.results<R>((await this.call(messages)).messages);
  }

  /**
   * The rows and count of one statement's answer, each column parsed as PGlite's own
   * `parseResults` would — which copies the instance's whole table of parsers (every type and
   * array type) for every statement: 1.3 ms of a booking attempt's CPU.
   */
  private results<R>(messages: BackendMessage[]): QueryResult<R> {
    let columns: { name: string; parse: (text: string) => unknown }[] = [];
    const rows: Record<string, unknown>[] = [];
    let changed = 0;
    for (const message of messages) {
      if (message.name === 'rowDescription')
        columns = (message as backend.RowDescriptionMessage).fields.map(({ name, dataTypeID }) => {
          const parser = this.pglite.parsers[dataTypeID] ?? types.parsers[dataTypeID];
          return { name, parse: parser ? (text: string) => parser(text, dataTypeID) : (text: string) => text };
        });
      else if (message.name === 'dataRow') {
        const row: Record<string, unknown> = {};
        (message as backend.DataRowMessage).fields.forEach((text: string | null, i) => {
          const column = columns[i]!;
          row[column.name] = text === null ? null : column.parse(text);
        });
        rows.push(row);
      } else if (message.name === 'commandComplete')
        changed += rowsChanged((message as backend.CommandCompleteMessage).text);
    }
    // As node-postgres and kysely-pglite-dialect: a count only when rows changed (localWritesOf).
    return { rows: rows as R[], ...(changed ? { numAffectedRows: BigInt(changed) } : {}) };
  }

  private serialised(value: unknown, type: number | undefined): string | null {
    if (value === null || value === undefined) return null;
    const serializer = type === undefined ? undefined : this.pglite.serializers[type];
    return serializer ? serializer(value) : String(value);
  }

  private async call(messages: Uint8Array[]) {
    const result = await this.pglite.execProtocol(Buffer.concat(messages), { syncToFs: false });
    // As PGlite's own query(): its file system is told after each statement outside a transaction.
    if (!this.pglite.isInTransaction()) await this.pglite.syncToFs();
    return result;
  }
}

/** One connection, handed to one caller at a time (PGlite is a single session). */
class PgliteDriver implements Driver {
  private readonly connection: PgliteConnection;
  private busy = false;
  private readonly waiting: ((connection: DatabaseConnection) => void)[] = [];

  constructor(private readonly pglite: PGlite) {
    this.connection = new PgliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.busy) {
      this.busy = true;
      return this.connection;
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiting.shift();
    if (next) next(this.connection);
    else this.busy = false;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(Compiled.raw(`start transaction${isolation}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(Compiled.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(Compiled.raw('rollback'));
  }

  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}

export class PgliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PgliteDriver(this.pglite);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Parameters<Dialect['createIntrospector']>[0]) {
    return new PostgresIntrospector(db);
  }
}

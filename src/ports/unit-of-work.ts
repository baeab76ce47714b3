// One transaction, handed to a use case as the repositories it asked for, all bound to it:
// what they write (the change, its audit event, its emails) commits together or not at all.
export interface UnitOfWork<Repositories> {
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}

/**
 * A store narrowed to what one use case declares: the readers `R` it uses outside a
 * transaction, and the repositories `W` its transaction uses. The full store fits every one.
 */
export type NarrowStore<Readers, Repositories, R extends keyof Readers, W extends keyof Repositories> = Pick<
  Readers,
  R
> &
  UnitOfWork<Pick<Repositories, W>>;

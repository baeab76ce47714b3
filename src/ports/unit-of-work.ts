// One transaction, handed to a use case as the repositories it asked for, all bound to it:
// what they write (the change, its audit event, its emails) commits together or not at all.
export interface UnitOfWork<Repositories> {
  transaction<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}

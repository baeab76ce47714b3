// A feature's use cases bound to their context: routes and pages call `useCases.bookSlot(input)`
// and never see a store, a clock or a secret (they cannot reach past the use case).

// biome-ignore lint/suspicious/noExplicitAny: any use case, whatever its arguments
type UseCase<C> = (ctx: C, ...args: any[]) => unknown;

/** The use case with its context already given. */
export type Bound<F> = F extends (ctx: never, ...args: infer A) => infer R ? (...args: A) => R : never;

/** Binds each use case of `useCases` to `ctx`. */
export function bindUseCases<C, T extends Record<string, UseCase<C>>>(
  ctx: C,
  useCases: T,
): { [K in keyof T]: Bound<T[K]> } {
  return Object.fromEntries(
    Object.entries(useCases).map(([name, useCase]) => [name, (...args: unknown[]) => useCase(ctx, ...args)]),
  ) as { [K in keyof T]: Bound<T[K]> };
}

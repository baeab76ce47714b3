// The clock of a policy run: events in time order; events at the same instant run in the
// order they were scheduled, so a run is reproducible. A binary heap on (at, sequence),
// written out here rather than with MinHeap's comparator callback: a year of a large
// prefecture pushes and pops millions of events, and the inlined comparison halves the run.

export class EventQueue {
  private readonly at: number[] = [];
  private readonly sequence: number[] = [];
  private readonly run: Array<() => void> = [];
  private scheduled = 0;
  /** The instant of the event being run. */
  now = 0;

  schedule(at: number, run: () => void): void {
    if (at < this.now) throw new Error(`event scheduled in the past: ${at} < ${this.now}`);
    const sequence = this.scheduled++;
    let index = this.at.length;
    this.at.push(at);
    this.sequence.push(sequence);
    this.run.push(run);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentAt = this.at[parent]!;
      if (parentAt < at || (parentAt === at && this.sequence[parent]! < sequence)) break;
      this.move(parent, index);
      index = parent;
    }
    this.put(index, at, sequence, run);
  }

  /** Runs every event up to `until` (included), in order; events may schedule more. */
  runUntil(until: number): void {
    while (this.at.length > 0 && this.at[0]! <= until) {
      const run = this.run[0]!;
      this.now = this.at[0]!;
      this.removeFirst();
      run();
    }
    this.now = Math.max(this.now, until);
  }

  private removeFirst(): void {
    const at = this.at.pop()!;
    const sequence = this.sequence.pop()!;
    const run = this.run.pop()!;
    const size = this.at.length;
    if (size === 0) return;
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      const right = child + 1;
      if (
        right < size &&
        (this.at[right]! < this.at[child]! ||
          (this.at[right] === this.at[child] && this.sequence[right]! < this.sequence[child]!))
      ) {
        child = right;
      }
      const childAt = this.at[child]!;
      if (at < childAt || (at === childAt && sequence < this.sequence[child]!)) break;
      this.move(child, index);
      index = child;
    }
    this.put(index, at, sequence, run);
  }

  private move(from: number, to: number): void {
    this.at[to] = this.at[from]!;
    this.sequence[to] = this.sequence[from]!;
    this.run[to] = this.run[from]!;
  }

  private put(index: number, at: number, sequence: number, run: () => void): void {
    this.at[index] = at;
    this.sequence[index] = sequence;
    this.run[index] = run;
  }
}

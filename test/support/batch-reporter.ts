// node:test reporter of a batch process (test/support/run-batch.ts): it writes nothing and
// sends the parent (test/all.ts), over IPC, every finished test and each file's time.
import type { TestEvent } from 'node:test/reporters';
import { ownAndChildrenCpuSeconds } from './process-memory.ts';

export interface BatchTest {
  /** The test file, relative to the repository (the one whose import registered the test). */
  file: string | undefined;
  name: string;
  /** A describe() block: counted only when it fails (a failing hook), and for its file's time. */
  suite: boolean;
  outcome: 'pass' | 'fail' | 'skip' | 'todo' | 'cancelled';
  /** A top-level test or suite: its duration counts towards its file's time. */
  topLevel: boolean;
  durationMs: number;
  error?: string;
}
/** The name of the marker test test/support/run-batch.ts registers before each file. */
export const FILE_MARKER = '▸ file ';

/** `cpu`: the CPU seconds a file's tests took (its batch's start-up counts towards the first). */
export type BatchMessage =
  | { kind: 'test'; test: BatchTest }
  | { kind: 'cpu'; file: string; seconds: number }
  | { kind: 'end' };

type Finished = Extract<TestEvent, { type: 'test:pass' | 'test:fail' }>['data'];

function outcomeOf(type: 'test:pass' | 'test:fail', data: Finished): BatchTest['outcome'] {
  if (data.skip !== undefined && data.skip !== false) return 'skip';
  if (data.todo !== undefined && data.todo !== false) return 'todo';
  if (type === 'test:pass') return 'pass';
  const failureType = (data.details as { error?: { failureType?: string } }).error?.failureType;
  return failureType === 'cancelledByParent' ? 'cancelled' : 'fail';
}

export default async function* batchReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const send = (message: BatchMessage) => process.send?.(message);
  let currentFile: string | undefined;
  let cpuAtFileStart = 0;
  const fileEnded = () => {
    const now = ownAndChildrenCpuSeconds();
    if (currentFile) send({ kind: 'cpu', file: currentFile, seconds: now - cpuAtFileStart });
    cpuAtFileStart = currentFile ? now : cpuAtFileStart;
  };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data;
    if (data.nesting === 0 && data.name.startsWith(FILE_MARKER)) {
      fileEnded();
      currentFile = data.name.slice(FILE_MARKER.length);
      continue;
    }
    const details = data.details as { type?: string; error?: unknown; duration_ms: number };
    const outcome = outcomeOf(event.type, data);
    const error =
      outcome === 'fail' && details.error ? String((details.error as Error).cause ?? details.error) : undefined;
    send({
      kind: 'test',
      test: {
        file: currentFile,
        name: data.name,
        suite: details.type === 'suite',
        outcome,
        topLevel: data.nesting === 0,
        durationMs: details.duration_ms,
        ...(error ? { error: error.slice(0, 500) } : {}),
      },
    });
  }
  fileEnded();
  send({ kind: 'end' });
  yield '';
}

// How many processes `creneau serve` runs and where the jobs go, as it logs them; the
// restart backoff of its primary. Pure decisions, no process started.
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { planProcesses } from '../../src/cli/serve-command.ts';
import { restartDelayMs } from '../../src/cli/serve-processes.ts';
import { testConfig } from '../support/config.ts';

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}
const WARN = 40;
const POSTGRES = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/nowhere' };

describe('serve: the process plan', () => {
  it('runs one process on the embedded database, with the jobs, warning when more were asked', () => {
    const { logger, lines } = capturingLogger();
    assert.deepEqual(planProcesses(testConfig(), { processes: 4 }, logger), { processes: 1, withWorker: true });
    assert.ok(lines.some((l) => l.level === WARN && /embedded database: one process only/.test(l.msg)));
    const quiet = capturingLogger();
    assert.deepEqual(planProcesses(testConfig(), {}, quiet.logger), { processes: 1, withWorker: true });
    assert.ok(!quiet.lines.some((l) => l.level === WARN), 'the default asks for nothing to warn about');
  });

  it('on PostgreSQL: as many processes as cores by default, no jobs unless --with-worker', () => {
    const { logger } = capturingLogger();
    assert.deepEqual(planProcesses(testConfig({ ...POSTGRES, REDIS_URL: 'redis://127.0.0.1:6379' }), {}, logger), {
      processes: availableParallelism(),
      withWorker: false,
    });
    assert.deepEqual(
      planProcesses(
        testConfig({ ...POSTGRES, REDIS_URL: 'redis://127.0.0.1:6379' }),
        { processes: 3, withWorker: true },
        logger,
      ),
      { processes: 3, withWorker: true },
    );
  });

  it('warns without Redis when several processes would each count the limits, and states the connections', () => {
    const { logger, lines } = capturingLogger();
    planProcesses(testConfig({ ...POSTGRES, DATABASE_POOL_SIZE: '7' }), { processes: 3, withWorker: true }, logger);
    assert.ok(lines.some((l) => l.level === WARN && /REDIS_URL is not set/.test(l.msg)));
    const plan = lines.find((l) => l.msg === 'processes');
    assert.deepEqual([plan?.poolSizePerProcess, plan?.databaseConnectionsAtMost], [7, 7 * 4]);
    const single = capturingLogger();
    planProcesses(testConfig(POSTGRES), { processes: 1 }, single.logger);
    assert.ok(!single.lines.some((l) => /REDIS_URL/.test(l.msg)), 'one process counts everything itself');
  });

  it('restarts a dead process after 1 s, doubling with each quick death in a row, up to 30 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map(restartDelayMs), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

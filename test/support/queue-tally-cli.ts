// The `creneau queue-tally` command on its own, for test/cli/queue-tally-command.test.ts (the
// same registration src/cli/creneau.ts makes).
import { Command } from 'commander';
import { registerQueueTallyCommand } from '../../src/cli/queue-tally-command.ts';

const program = new Command().name('creneau');
registerQueueTallyCommand(program);
await program.parseAsync(process.argv);

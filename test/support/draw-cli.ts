// The `creneau draw …` commands on their own, for test/cli/draw-command.test.ts (the same
// registration src/cli/creneau.ts makes).
import { Command } from 'commander';
import { registerDrawCommand } from '../../src/cli/draw-command.ts';

const program = new Command().name('creneau');
registerDrawCommand(program);
await program.parseAsync(process.argv);

// The `creneau draw …` and `creneau audit …` commands on their own, for
// test/cli/draw-command.test.ts (the same registrations src/cli/creneau.ts makes).
import { Command } from 'commander';
import { registerAuditCommand } from '../../src/cli/audit-command.ts';
import { registerDrawCommand } from '../../src/cli/draw-command.ts';

const program = new Command().name('creneau');
registerDrawCommand(program);
registerAuditCommand(program);
await program.parseAsync(process.argv);

// The `creneau retention …`, `creneau evidence …` and `creneau audit …` commands on their own,
// for test/cli/retention-command.test.ts (the same registrations src/cli/creneau.ts makes).
import { Command } from 'commander';
import { registerAuditCommand } from '../../src/cli/audit-command.ts';
import { registerRetentionCommands } from '../../src/cli/retention-command.ts';

const program = new Command().name('creneau');
registerRetentionCommands(program);
registerAuditCommand(program);
await program.parseAsync(process.argv);

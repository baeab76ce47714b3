// `creneau agent …`: agent accounts from the command line (before any administrator exists).
//   creneau agent create --email e --name "Camille Martin" --role counter --prefecture 93 --site bobigny [--site …]
//       creates the account; prints the TOTP provisioning URI (otpauth://… — paste it or make
//       it a QR code for the authenticator app) and, unless --password-stdin, a generated
//       password, once;
//   creneau agent disable --email e
//       disables the account and revokes its sessions at once.
// Both are audited (the actor is "system").
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { isAgentRole } from '../domain/agent-rules.ts';
import { withServices } from './with-services.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerAgentCommand(program: Command): void {
  const agent = program.command('agent').description('create or disable agent accounts');

  agent
    .command('create')
    .description('create an agent account; prints its TOTP provisioning URI and a generated password once')
    .requiredOption('--email <email>', 'work email address (the log-in)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--role <role>', 'counter, supervisor or admin')
    .option('--prefecture <id>', 'département code, e.g. 93 (not for admin)')
    .option('--site <id>', 'a site of a counter agent (repeat for several)', collect, [] as string[])
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(
      async (options: {
        email: string;
        name: string;
        role: string;
        prefecture?: string;
        site: string[];
        passwordStdin?: boolean;
      }) => {
        const role = options.role;
        if (!isAgentRole(role)) return program.error('--role must be counter, supervisor or admin');
        const password = options.passwordStdin ? await readStdin() : randomBytes(15).toString('base64url');
        await withServices(async (services) => {
          const created = await services.features.agents.useCases.createAgent(null, {
            email: options.email,
            displayName: options.name,
            password,
            role,
            prefectureId: options.prefecture ?? null,
            siteIds: options.site,
          });
          console.log(
            `agent ${created.agent.id} created: ${created.agent.email} (${created.agent.role}${created.agent.prefectureId ? `, prefecture ${created.agent.prefectureId}` : ''})`,
          );
          if (!options.passwordStdin) console.log(`password (shown once): ${password}`);
          console.log(`TOTP provisioning URI (add it to the authenticator app): ${created.totpUri}`);
        });
      },
    );

  agent
    .command('disable')
    .description('disable an agent account and revoke its sessions')
    .requiredOption('--email <email>', "the account's email address")
    .action(async (options: { email: string }) => {
      await withServices(async (services) => {
        const { revokedSessions } = await services.features.agents.useCases.disableAgent(null, options.email);
        console.log(`agent ${options.email.trim().toLowerCase()} disabled; ${revokedSessions} session(s) revoked`);
      });
    });
}

/**
 * `berth login [-u USER] [-p PASS | --password-stdin] [SERVER]` and
 * `berth logout [SERVER]`, as docker's: the daemon checks the credentials
 * (POST /auth) and only then are they stored in config.json (credentials.ts);
 * the default server is Docker Hub. Credentials are never printed: -p only
 * warns that it is insecure, and errors name the server, not the password.
 */
import readline from 'node:readline';
import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { credentialsFor, defaultServer, removeCredentials, serverKey, storeCredentials } from '../credentials.js';
import { ExitError } from '../errors.js';
import { describeCommand } from '../help.js';

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of process.stdin) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8').replace(/\n$/, '').replace(/\r$/, '');
}

/** A line from the terminal; with `hidden` nothing typed is echoed. */
function prompt(question: string, hidden: boolean): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    out._writeToOutput = (s: string) => { if (s.includes(question)) process.stdout.write(question); };
  }
  return new Promise((resolve) => rl.question(question, (answer) => {
    rl.close();
    if (hidden) process.stdout.write('\n');
    resolve(answer);
  }));
}

interface LoginOpts { username?: string; password?: string; passwordStdin?: boolean }

async function runLogin(server: string | undefined, o: LoginOpts, self: Command): Promise<void> {
  if (o.password !== undefined) process.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
  if (o.passwordStdin) {
    if (o.password !== undefined) throw new ExitError('--password and --password-stdin are mutually exclusive', 1);
    if (!o.username) throw new ExitError('Must provide --username with --password-stdin', 1);
  }
  const key = serverKey(server);
  let username = o.username?.trim();
  let password = o.passwordStdin ? await readStdin() : o.password;
  if (username === undefined && password === undefined) {
    const stored = credentialsFor(key === defaultServer ? 'docker.io' : key);
    if (stored.username !== undefined && stored.password !== undefined) {
      process.stdout.write(`Authenticating with existing credentials... [Username: ${stored.username}]\n`);
      username = stored.username;
      password = stored.password;
    }
  }
  if (username === undefined || password === undefined) {
    if (!process.stdin.isTTY) throw new ExitError('Error: Cannot perform an interactive login from a non TTY device', 1);
    username ??= (await prompt('Username: ', false)).trim();
    if (!username) throw new ExitError('Error: Non-null Username Required', 1);
    password ??= await prompt('Password: ', true);
  }
  if (!password) throw new ExitError('Error: Password Required', 1);
  const api = clientFor(self.optsWithGlobals<GlobalOptions>());
  await api.send('/auth', { method: 'POST', body: { username, password, serveraddress: key } });
  const file = storeCredentials(key, username, password);
  process.stderr.write(`\nWARNING! Your credentials are stored unencrypted in '${file}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
  process.stdout.write('Login Succeeded\n');
}

function runLogout(server: string | undefined): void {
  const key = serverKey(server);
  process.stdout.write(`Removing login credentials for ${key}\n`);
  removeCredentials(key);
}

export function loginCommands(program: Command): void {
  const login = program
    .command('login')
    .description('Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.')
    .argument('[server]')
    .option('-p, --password <string>', 'Password or Personal Access Token (PAT)')
    .option('--password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin')
    .option('-u, --username <string>', 'Username')
    .action(runLogin);
  describeCommand(login, { usage: '[OPTIONS] [SERVER]' });
  const logout = program
    .command('logout')
    .description('Log out from a registry.\nIf no server is specified, the default is defined by the daemon.')
    .argument('[server]')
    .action(runLogout);
  describeCommand(logout, { usage: '[SERVER]' });
}

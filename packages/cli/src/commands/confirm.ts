/** docker's prune prompt: the message, ` [y/N] `, and yes only for a line that is `y` (any case). */
import readline from 'node:readline';

export async function confirm(message: string): Promise<boolean> {
  process.stdout.write(`${message} [y/N] `);
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer.trim().toLowerCase() === 'y';
}

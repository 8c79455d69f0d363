/** errno numbers -> the strerror text Go prints (e.g. "operation not permitted"). */
import { constants } from 'node:os';
import util from 'node:util';

const nameByNumber = new Map<number, string>();
for (const [name, n] of Object.entries(constants.errno)) nameByNumber.set(n, name);

export const os = {
  /** Lower-case strerror text, as Go's syscall.Errno.Error() prints it. */
  describe(errno: number): string {
    const name = nameByNumber.get(errno);
    if (!name) return `errno ${errno}`;
    const text = util.getSystemErrorMap().get(-errno)?.[1];
    return text ? text.charAt(0).toLowerCase() + text.slice(1) : name;
  },
};

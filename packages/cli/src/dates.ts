/**
 * docker's reformatDate: an RFC 3339 build time shown in Go's time.ANSIC
 * layout ("Thu May  7 21:09:36 2026"), in the offset it was written with;
 * anything else is shown unchanged.
 */
const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function reformatDate(s: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return s;
  const [, y, mo, d, hh, mm, ss] = m as unknown as [string, string, string, string, string, string, string];
  const weekday = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d))).getUTCDay();
  return `${days[weekday]} ${months[Number(mo) - 1]} ${String(Number(d)).padStart(2, ' ')} ${hh}:${mm}:${ss} ${y}`;
}

/**
 * docker's network list rows (cli/command/network/formatter.go): the fields
 * a `network ls --format` template sees, their column titles, and the
 * natural name order docker sorts the list in.
 */

export interface NetworkSummary {
  Name: string;
  Id: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
}

export const networkHeaders: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};

/**
 * Go's time.Time.String() of an RFC 3339 timestamp as the daemon sends it:
 * "2026-11-23T17:18:15.6238Z" -> "2026-11-23 17:18:15.6238 +0000 UTC"
 * (a zone without a name prints its offset twice, as Go does).
 */
export function goTime(rfc3339: string | undefined): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?(Z|([+-])(\d\d):(\d\d))$/.exec(rfc3339 ?? '');
  if (!m) return '0001-01-01 00:00:00 +0000 UTC';
  const frac = (m[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
  const offset = `${m[5] ?? '+'}${m[6] ?? '00'}${m[7] ?? '00'}`;
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${offset} ${offset}`;
  return `${m[1] ?? ''} ${m[2] ?? ''}${frac} ${zone}`;
}

/** One row; keys in Go's JSON order (sorted), as `--format json` prints them. */
export function networkRow(n: NetworkSummary, trunc: boolean): Record<string, unknown> {
  const labels = n.Labels ?? {};
  return {
    CreatedAt: goTime(n.Created),
    Driver: n.Driver ?? '',
    ID: trunc ? n.Id.slice(n.Id.indexOf(':') + 1).slice(0, 12) : n.Id,
    IPv4: String(Boolean(n.EnableIPv4)),
    IPv6: String(Boolean(n.EnableIPv6)),
    Internal: String(Boolean(n.Internal)),
    // docker's method {{.Label "key"}} (json leaves functions out)
    Label: (key: unknown) => labels[String(key)] ?? '',
    Labels: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    Name: n.Name,
    Scope: n.Scope ?? '',
  };
}

/** fvbommel/sortorder's NaturalLess: digit runs compare by value, the rest byte by byte. */
export function naturalCompare(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i] as string;
    const y = cb[i] as string;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const vx = x.replace(/^0+/, '');
      const vy = y.replace(/^0+/, '');
      if (vx.length !== vy.length) return vx.length - vy.length;
      if (vx !== vy) return vx < vy ? -1 : 1;
      // equal values: fewer leading zeros first
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length;
}

import { describe, expect, it } from 'vitest';
import { parseFlags } from '../flags.js';
import { hostRange, intToIp, parseBip } from './cidr.js';
import { macOf } from './endpoint.js';
import { portRequests } from './ports.js';

describe('bridge network settings', () => {
  it('reads --bip as the bridge address of its subnet', () => {
    expect(parseBip('172.31.0.1/16')).toEqual({ gateway: '172.31.0.1', prefixLen: 16, network: '172.31.0.0', subnet: '172.31.0.0/16' });
    const r = hostRange(parseBip('10.1.2.1/24'));
    expect([intToIp(r.first), intToIp(r.last), intToIp(r.gateway)]).toEqual(['10.1.2.1', '10.1.2.254', '10.1.2.1']);
    expect(() => parseBip('10.1.2.0/24')).toThrow(/host address/);
    expect(() => parseBip('10.1.2.1')).toThrow(/prefix length/);
    expect(() => parseBip('300.1.2.1/24')).toThrow(/invalid IPv4/);
    expect(macOf('172.17.0.2')).toBe('02:42:ac:11:00:02');
  });

  it('takes dockerd\'s network flags', () => {
    const f = parseFlags([]);
    expect([f.bridge, f.bip, f.iptables, f.ipMasq]).toEqual(['berth0', '172.31.0.1/16', true, true]);
    const g = parseFlags(['--bridge', 'none', '--bip=10.9.8.1/24', '--iptables=false', '--ip-masq=false']);
    expect([g.bridge, g.bip, g.iptables, g.ipMasq]).toEqual(['none', '10.9.8.1/24', false, false]);
    expect(() => parseFlags(['--bridge', 'a-name-longer-than-15'])).toThrow(/invalid bridge name/);
    expect(() => parseFlags(['--iptables=maybe'])).toThrow(/invalid boolean/);
  });

  it('turns PortBindings and -P into port requests', () => {
    const reqs = portRequests({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }, { HostIp: '', HostPort: '' }], '53/udp': [{ HostPort: '5300-5310' }] }, true, { '80/tcp': {}, '9000/tcp': {} });
    expect(reqs).toEqual([
      { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPorts: [8080, 8080] },
      { proto: 'tcp', containerPort: 80, hostIp: '', hostPorts: [0, 0] },
      { proto: 'udp', containerPort: 53, hostIp: '', hostPorts: [5300, 5310] },
      { proto: 'tcp', containerPort: 9000, hostIp: '', hostPorts: [0, 0] },
    ]);
    expect(() => portRequests({ 'x/tcp': [] }, false, undefined)).toThrow(/invalid containerPort: x/);
    expect(() => portRequests({ '80/sctp': [] }, false, undefined)).toThrow(/invalid proto/);
    expect(() => portRequests({ '80/tcp': [{ HostPort: '70000' }] }, false, undefined)).toThrow(/invalid hostPort: 70000/);
  });
});

import { describe, expect, it } from 'vitest';
import { overlaps, parseSubnet, userNet } from './cidr.js';
import { hostRoutes, pickSubnet } from './pool.js';

// /proc/net/route as the kernel writes it: little-endian hex destination and mask
const routes = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
  'br-x\t0010A8C0\t00000000\t0001\t0\t0\t0\t00F0FFFF\t0\t0\t0',
].join('\n');

describe('user network subnets', () => {
  it('reads the host routes, leaving out the default route', () => {
    expect(hostRoutes(routes)).toEqual([{ network: '172.17.0.0', prefixLen: 16 }, { network: '192.168.16.0', prefixLen: 20 }]);
  });

  it('picks the first default pool no network of ours and no host route overlaps', () => {
    expect(pickSubnet([], [])).toBe('172.17.0.0/16');
    expect(pickSubnet([{ network: '172.18.0.0', prefixLen: 16 }], hostRoutes(routes))).toBe('172.19.0.0/16');
    const all172 = Array.from({ length: 15 }, (_, i) => ({ network: `172.${17 + i}.0.0`, prefixLen: 16 }));
    expect(pickSubnet(all172, [{ network: '192.168.0.0', prefixLen: 20 }])).toBe('192.168.16.0/20');
    expect(() => pickSubnet([...all172, { network: '192.168.0.0', prefixLen: 16 }], [])).toThrow(/could not find an available, non-overlapping IPv4 address pool/);
  });

  it('checks a given subnet and gateway with docker\'s texts', () => {
    expect(parseSubnet('10.1.2.3/24')).toEqual({ network: '10.1.2.0', prefixLen: 24, subnet: '10.1.2.0/24' });
    expect(() => parseSubnet('bad')).toThrow('Invalid subnet bad : invalid CIDR address: bad');
    expect(() => parseSubnet('10.1.2.0/33')).toThrow(/invalid CIDR address/);
    expect(userNet('10.1.2.0/24', '')).toEqual({ gateway: '10.1.2.1', prefixLen: 24, network: '10.1.2.0', subnet: '10.1.2.0/24' });
    expect(userNet('10.1.2.0/24', '10.1.2.254').gateway).toBe('10.1.2.254');
    expect(() => userNet('10.1.2.0/24', '10.9.4.1')).toThrow('no matching subnet for gateway 10.9.4.1');
    expect(() => userNet('10.1.2.0/24', '10.1.2.255')).toThrow(/broadcast/);
    expect(overlaps(parseSubnet('10.1.0.0/16'), parseSubnet('10.1.2.128/25'))).toBe(true);
    expect(overlaps(parseSubnet('10.1.2.0/25'), parseSubnet('10.1.2.128/25'))).toBe(false);
  });
});

/**
 * Binding UDP and TCP on one port number. For a fixed port both just bind; for
 * port 0 UDP picks a free number and TCP takes the same one, trying again with a
 * new number in the rare case TCP's is taken.
 */
import dgram from 'node:dgram';
import net from 'node:net';

const ATTEMPTS = 20;

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', reject);
    sock.bind({ address, port, exclusive: true }, () => {
      sock.off('error', reject);
      resolve(sock);
    });
  });
}

function listenTcp(server: net.Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function bindBoth(address: string, port: number, server: net.Server): Promise<{ udp: dgram.Socket; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(address, port);
    const bound = udp.address().port;
    try {
      await listenTcp(server, address, bound);
      return { udp, port: bound };
    } catch (err) {
      udp.close();
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= ATTEMPTS) throw err;
    }
  }
}

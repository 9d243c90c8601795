/**
 * The floating address probe: a TCP connection to the ENI's address on its holder. Runs from the
 * reconcile Lambda, which must then be in the VPC with a route and a security group rule to the
 * floating address.
 */
import * as net from 'net';
import { FloatingProbe } from './engine';

/** A `FloatingProbe` that opens a TCP connection and closes it again. */
export class TcpProbe implements FloatingProbe {
  constructor(private readonly timeoutMs: number) {}

  public answers(address: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: address, port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(this.timeoutMs, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });
  }
}

import { once } from 'node:events';
import { type ClientHttp2Session, connect as h2Connect, type ServerHttp2Stream } from 'node:http2';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createH2ServerFor } from '../http/servers.ts';
import { GuardCounters } from '../metrics/guard.ts';
import { readLimits, readTimeouts } from '../settings/listener.ts';
import { Guard } from './guard.ts';

// A fatal session error (nghttp2 refusing a frame, such as HEADERS on stream
// 0) with a stream open: Node destroys the stream with the error, tears the
// session down, and emits the error on the stream a tick later. Under load
// the teardown can finish first, and then the session's socket, a proxy,
// throws on every read: the guard once read the connection's address from
// it, and the sidecar ended (found by the frame fuzzer on the inbound, seed 1).

let listener: Server | undefined;
let client: ClientHttp2Session | undefined;
afterEach(() => {
  client?.destroy();
  listener?.close();
});

it('counts the error of a stream emitted after its session was torn down, without throwing', async () => {
  const timeouts = readTimeouts(() => undefined);
  const limits = readLimits(() => undefined);
  const counters = new GuardCounters();
  const guard = new Guard('inbound', counters);
  const h2 = createH2ServerFor(timeouts, guard, limits, (stream) => h2.emit('held', stream));
  listener = createServer((socket) => {
    socket.on('error', guard.onSocketError);
    h2.emit('connection', socket);
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');

  const held = once(h2, 'held');
  client = h2Connect(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`);
  client.on('error', () => {});
  client.request({ ':method': 'POST', ':path': '/' }, { endStream: false }).on('error', () => {});
  const [stream] = (await held) as [ServerHttp2Stream];
  const session = stream.session;
  if (!session) throw new Error('the stream has no session');
  const unbound = session.socket;

  // Tear the session down completely, then deliver the stream's error, the
  // order a loaded process can see. Emitted by hand: which of the two comes
  // first is Node's timing, which a test cannot choose.
  session.destroy();
  await once(session, 'close');
  expect(() => unbound.remoteAddress).toThrow(/disconnected from the Http2Session/);
  stream.emit('error', Object.assign(new Error('Protocol error'), { code: 'ERR_HTTP2_ERROR' }));

  expect([...counters.families()].join('')).toContain('network_errors_total{direction="inbound",kind="stream"} 1\n');
});

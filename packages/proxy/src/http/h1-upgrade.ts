import { type IncomingMessage, request } from 'node:http';
import type { Duplex } from 'node:stream';
import { upstreamError } from '../errors.ts';
import type { ForwardPolicy } from '../route/policy.ts';
import { splice } from '../tcp/splice.ts';
import type { H1Upstream } from './h1-forward.ts';
import { forwardRawHeaders, PROXY_ERROR_HEADER } from './headers.ts';

// HTTP/1.1 Upgrade (WebSocket and friends): forward the handshake, and once
// the upstream switches protocols, join the two connections as raw bytes.

export function forwardUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  up: H1Upstream,
  policy: ForwardPolicy,
  addName: string | undefined,
  addValue: string | undefined,
): void {
  client.on('error', () => client.destroy());
  const upReq = request({
    agent: up.agent,
    host: up.host,
    port: up.port,
    method: req.method,
    path: req.url,
    headers: forwardRawHeaders(req.rawHeaders, policy.stripRequest, addName, addValue, true),
    setHost: false,
  });
  upReq.on('upgrade', (upRes: IncomingMessage, upSocket: Duplex, upHead: Buffer) => {
    client.write(statusLine(upRes) + renderHeaders(upRes.rawHeaders));
    if (upHead.length > 0) client.write(upHead);
    if (head.length > 0) upSocket.write(head);
    splice(client, upSocket);
  });
  upReq.on('response', (upRes: IncomingMessage) => {
    // The upstream declined the switch: relay its answer and close.
    client.write(
      statusLine(upRes) +
        renderHeaders([...forwardRawHeaders(upRes.rawHeaders, undefined, undefined, undefined), 'connection', 'close']),
    );
    upRes.pipe(client);
  });
  upReq.on('error', (err) => {
    const failure = upstreamError(err, up.name);
    const extra = policy.informational ? `${PROXY_ERROR_HEADER}: ${failure.code}\r\n` : '';
    client.end(`HTTP/1.1 ${failure.status} ${failure.code}\r\ncontent-length: 0\r\nconnection: close\r\n${extra}\r\n`);
  });
  client.on('close', () => upReq.destroy());
  upReq.end();
}

function statusLine(res: IncomingMessage): string {
  return `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
}

function renderHeaders(raw: readonly string[]): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // transfer-encoding no longer frames anything once the body is relayed raw until close.
    if (name.toLowerCase() === 'transfer-encoding' || name.toLowerCase() === 'content-length') continue;
    out += `${name}: ${raw[i + 1]}\r\n`;
  }
  return `${out}\r\n`;
}

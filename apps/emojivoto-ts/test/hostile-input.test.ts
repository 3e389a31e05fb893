import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Client, credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emojiClient, votingClient } from '../src/grpc/clients.ts';
import { type Stack, startStack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Writes raw bytes to host:port and collects what comes back until the peer closes (or 5 s pass). */
function rawExchange(address: string, payload: Buffer | string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`${address} kept the connection open`)), 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A reset is a clean refusal too; anything else is a test failure.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.end(payload);
  });
}

describe('hostile input', () => {
  it('answers malformed query strings with 400 or a vote, never a crash', async () => {
    for (const query of ['choice=%E0%A4%A', 'choice=%', '&&&=', 'choice[]=:joy:', 'choice=%00%ff', '=%3Ajoy%3A']) {
      const response = await fetch(`${stack.webUrl}/api/vote?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json(), query).toHaveProperty('error');
    }
    // A repeated parameter takes the first value, as Go's FormValue does.
    expect((await fetch(`${stack.webUrl}/api/vote?choice=:joy:&choice=:doughnut:`)).status).toBe(200);
  });

  it('refuses a megabyte-long choice in the URL and in a form body', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const reply = await rawExchange(
      stack.webHost,
      `GET /api/vote?choice=${huge} HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
    const form = await fetch(`${stack.webUrl}/api/vote`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `choice=${huge}`,
    });
    expect(form.status).toBe(413);
    expect(await form.json()).toHaveProperty('error');
  });

  it('handles other methods and bodies without a server error', async () => {
    // Go's ServeMux routes by path only, so the API answers every method.
    expect((await fetch(`${stack.webUrl}/api/list`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${stack.webUrl}/api/vote?choice=:taco:`, { method: 'PUT' })).status).toBe(200);
    const badJson = await fetch(`${stack.webUrl}/api/vote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"choice":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toHaveProperty('error');
    const binary = await fetch(`${stack.webUrl}/api/vote`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: randomBytes(1024),
    });
    expect(binary.status).toBe(415);
    const options = await fetch(`${stack.webUrl}/`, { method: 'OPTIONS' });
    expect(options.status).toBeLessThan(500);
  });

  it('closes connections that send random bytes, on web and on both gRPC ports', async () => {
    const web = await rawExchange(stack.webHost, randomBytes(4096));
    expect(web).toMatch(/^(HTTP\/1\.1 400 |$)/);
    for (const address of [stack.emojiAddress, stack.votingAddress]) {
      await rawExchange(address, randomBytes(64 * 1024));
      // An HTTP/2 preface followed by garbage frames.
      await rawExchange(address, Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), randomBytes(8192)]));
    }
  });

  it('answers undecodable or oversized gRPC messages with a status, not a crash', async () => {
    // A generic client that sends raw bytes as the request message.
    const raw = (address: string, path: string, body: Buffer) => {
      const client = new Client(address, credentials.createInsecure());
      return new Promise<number>((resolve) => {
        client.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          (error) => {
            client.close();
            resolve(error?.code ?? status.OK);
          },
        );
      });
    };
    // Field 1 with wire type 7, which protobuf does not have, then a cut-off varint.
    const garbage = Buffer.from([0x0f, 0xff]);
    expect(await raw(stack.emojiAddress, '/emojivoto.v1.EmojiService/FindByShortcode', garbage)).toBe(status.INTERNAL);
    expect(await raw(stack.votingAddress, '/emojivoto.v1.VotingService/VoteJoy', garbage)).toBe(status.INTERNAL);
    expect(await raw(stack.votingAddress, '/emojivoto.v1.VotingService/VoteRelaxing', Buffer.alloc(0))).toBe(
      status.UNIMPLEMENTED,
    );
    const emoji = emojiClient(stack.emojiAddress);
    try {
      expect(await emoji.findByShortcode(':'.repeat(1024 * 1024))).toBeUndefined();
    } finally {
      emoji.close();
    }
  });

  it('keeps every service up and serving afterwards', async () => {
    expect(stack.allAlive()).toBe(true);
    const emoji = emojiClient(stack.emojiAddress);
    const voting = votingClient(stack.votingAddress);
    try {
      expect(await emoji.listAll()).toHaveLength(99);
      await voting.vote('VoteJoy');
    } finally {
      emoji.close();
      voting.close();
    }
    expect((await fetch(`${stack.webUrl}/api/leaderboard`)).status).toBe(200);
  });
});

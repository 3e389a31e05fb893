import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants } from 'node:http2';
import { log } from '../app/log.ts';
import { EMPTY_PROFILE, type ProfileListener, type ProfileSource } from '../profile/profile.ts';
import { decodeProfile } from '../profile/proto.ts';
import { ALPN_H2, peerTlsOptions } from '../tls/connect.ts';
import type { LocalIdentity } from '../tls/local-identity.ts';
import { decodeUpdate, encodeGetDestination } from './proto.ts';
import type { Resolver, UpdateListener } from './update.ts';

// The destination API client: one server-streaming Get call per authority,
// spoken as gRPC over one HTTP/2 session, over mTLS to the control plane's
// identity (as between proxies). When a stream breaks, the listener keeps
// what it last heard (a `reset` comes only once the control plane answers
// again), and the call is retried with capped exponential backoff.

/** Our certificate, and the identity the control plane must prove (also the SNI). */
export interface ControlPlaneTls {
  readonly identity: LocalIdentity;
  readonly serverName: string;
}

export interface DestinationOptions {
  readonly addr: string;
  readonly scheme: string;
  readonly contextToken: string;
  /** Without it the session is plaintext (WEFT_PROXY_CONTROL_PLANE_PLAINTEXT, tests). */
  readonly tls?: ControlPlaneTls;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

const GET_PATH = '/weft.destination.Destination/Get';
const GET_PROFILE_PATH = '/weft.destination.Destination/GetProfile';
const GRPC_NOT_FOUND = '5';
/** A destination message bigger than this is refused (an endpoint set is far smaller). */
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export class DestinationResolver implements Resolver, ProfileSource {
  readonly #opts: DestinationOptions;
  #session: ClientHttp2Session | undefined;
  #closed = false;
  /** The last session failure logged at warn: a failure that repeats on every retry is logged once. */
  #lastFailure = '';

  constructor(opts: DestinationOptions) {
    this.#opts = opts;
  }

  #connect(): ClientHttp2Session {
    const current = this.#session;
    if (current && !current.closed && !current.destroyed) return current;
    const tls = this.#opts.tls;
    const session = tls
      ? connect(
          `https://${this.#opts.addr}`,
          peerTlsOptions(tls.identity, { name: tls.serverName, serverName: tls.serverName }, ALPN_H2),
        )
      : connect(`http://${this.#opts.addr}`);
    session.on('connect', () => {
      this.#lastFailure = '';
    });
    session.on('error', (err) => {
      const fields = { addr: this.#opts.addr, expected: tls?.serverName, error: err.message };
      if (err.message === this.#lastFailure) log.debug('control plane connection failed', fields);
      else log.warn('control plane connection failed', fields);
      this.#lastFailure = err.message;
    });
    session.on('close', () => {
      if (this.#session === session) this.#session = undefined;
    });
    session.unref();
    this.#session = session;
    return session;
  }

  resolve(authority: string, listener: UpdateListener): () => void {
    return this.watch(
      GET_PATH,
      authority,
      this.#getBody(authority),
      (message, first) => {
        const update = decodeUpdate(message, first);
        if (update) listener(update);
      },
      () => listener({ kind: 'doesNotExist' }),
    );
  }

  /** The authority's profile, whole on every change; a service without one gets the default profile. */
  profile(authority: string, listener: ProfileListener): () => void {
    return this.watch(
      GET_PROFILE_PATH,
      authority,
      this.#getBody(authority),
      (message) => listener(decodeProfile(message), true),
      () => listener(EMPTY_PROFILE, false),
    );
  }

  #getBody(authority: string): Buffer {
    return encodeGetDestination(this.#opts.scheme, authority, this.#opts.contextToken);
  }

  /** A server-streaming call on the control plane's session, retried with backoff; `authority` names it in logs. */
  watch(
    path: string,
    authority: string,
    body: Buffer,
    onMessage: (message: Buffer, first: boolean) => void,
    onNotFound: () => void,
  ): () => void {
    const min = this.#opts.minBackoffMs ?? 100;
    const max = this.#opts.maxBackoffMs ?? 10_000;
    let backoff = min;
    let stream: ClientHttp2Stream | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const retry = () => {
      if (stopped || this.#closed) return;
      timer = setTimeout(start, backoff);
      backoff = Math.min(max, backoff * 2);
    };
    const identity = this.#opts.tls?.identity;
    const start = () => {
      timer = undefined;
      // Nothing to prove who we are with until our first certificate arrives.
      if (identity && identity.current === undefined) {
        identity.ready().then(() => {
          if (!stopped && !this.#closed) start();
        });
        return;
      }
      let first = true;
      let pending: Buffer = Buffer.alloc(0);
      let s: ClientHttp2Stream;
      try {
        s = this.#connect().request({
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/grpc',
          te: 'trailers',
        });
      } catch {
        retry();
        return;
      }
      stream = s;
      const onStatus = (headers: Record<string, unknown>) => {
        const code = headers['grpc-status'];
        if (code === GRPC_NOT_FOUND) onNotFound();
        else if (code !== undefined && code !== '0') log.debug('destination call ended', { authority, code });
      };
      s.on('response', onStatus);
      s.on('trailers', onStatus);
      s.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        while (pending.length >= 5) {
          const len = pending.readUInt32BE(1);
          if (pending[0] !== 0 || len > MAX_MESSAGE_BYTES) {
            s.close(constants.NGHTTP2_PROTOCOL_ERROR);
            return;
          }
          if (pending.length < 5 + len) break;
          const message = pending.subarray(5, 5 + len);
          pending = pending.subarray(5 + len);
          backoff = min;
          try {
            onMessage(message, first);
          } catch (err) {
            log.warn('undecodable destination message', { authority, path, error: (err as Error).message });
            continue;
          }
          first = false;
        }
      });
      s.on('error', () => {});
      s.on('close', () => {
        if (stream === s) retry();
      });
      const frame = Buffer.alloc(5 + body.length);
      frame.writeUInt32BE(body.length, 1);
      body.copy(frame, 5);
      s.end(frame);
    };
    start();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      stream?.close(constants.NGHTTP2_CANCEL);
    };
  }

  close(): void {
    this.#closed = true;
    this.#session?.destroy();
  }
}

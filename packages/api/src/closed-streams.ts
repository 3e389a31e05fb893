import type { Http2Server, ServerHttp2Stream } from 'node:http2';
import type { Server } from '@grpc/grpc-js';

// grpc-js answers a call to an unknown method, or one with a content-type
// other than application/grpc, with stream.respond() inside Node's 'stream'
// event. Node emits that event a tick after it parsed the HEADERS frame; when
// the client reset the stream, or the session ended, in between, the stream
// is closed or destroyed by then, respond() throws ERR_HTTP2_INVALID_STREAM,
// and the throw ends the process. A stream that is gone before the server
// sees it needs no answer.

const guarded = new WeakSet<Http2Server>();
const answerNothing = () => {};

/** Makes a grpc-js server ignore streams closed before it saw them. Call after every bindAsync. */
export function ignoreStreamsClosedBeforeSeen(server: Server): void {
  // grpc-js keeps its node:http2 servers in this field; it has no public way to reach them.
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!http2Servers)
    throw new Error('grpc-js no longer keeps http2Servers: ignoreStreamsClosedBeforeSeen needs another way in');
  for (const http2Server of http2Servers.keys()) {
    if (guarded.has(http2Server)) continue;
    guarded.add(http2Server);
    http2Server.prependListener('stream', (stream: ServerHttp2Stream) => {
      if (stream.closed || stream.destroyed) stream.respond = answerNothing;
    });
  }
}

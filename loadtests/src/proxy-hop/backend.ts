import { createServer as createH1Server } from 'node:http';
import { createServer as createH2Server } from 'node:http2';
import { createServer } from 'node:net';

// The service behind every arm of the benchmark: a small fixed answer, over
// HTTP/1.1 and h2c on one port (the client preface picks the server), so one
// inbound proxy and one nginx pair front both. A gRPC request (POST,
// application/grpc) gets one message and grpc-status 0 in trailers.
const body = Buffer.from('{"ok":true,"emoji":"🍩"}');
const grpcMessage = Buffer.concat([Buffer.from([0, 0, 0, 0, body.length]), body]);

const h1 = createH1Server({ keepAliveTimeout: 120_000 }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
const h2 = createH2Server((req, res) => {
  req.resume();
  if (req.headers['content-type']?.startsWith('application/grpc')) {
    // As a unary gRPC server does: the answer once the whole request is in.
    req.once('end', () => {
      res.writeHead(200, { 'content-type': 'application/grpc' });
      res.addTrailers({ 'grpc-status': '0' });
      res.end(grpcMessage);
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});

const H2_PREFACE = Buffer.from('PRI ');
const server = createServer((socket) => {
  socket.once('data', (first: Buffer) => {
    socket.pause();
    socket.unshift(first);
    if (first.subarray(0, 4).equals(H2_PREFACE.subarray(0, Math.min(4, first.length)))) {
      h2.emit('connection', socket);
    } else {
      // node:http would read the native handle and miss the bytes put back.
      const handle = (socket as typeof socket & { _handle?: { _consumed?: boolean } })._handle;
      if (handle) handle._consumed = true;
      h1.emit('connection', socket);
      socket.resume();
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`backend listening on port ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => process.exit(0));

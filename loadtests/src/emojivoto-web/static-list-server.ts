import { createServer } from 'node:http';
import { EMOJIS } from '@weft/emojivoto-ts';

// The baseline: the same JSON body /api/list returns, from a bare node:http
// server with no framework and no gRPC call behind it.
const body = Buffer.from(JSON.stringify(EMOJIS.map((e) => ({ unicode: e.unicode, shortcode: e.shortcode }))));

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`baseline listening on port ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

import { createServer } from 'node:http';

// The service behind every arm of the benchmark: a small fixed answer.
const body = Buffer.from('{"ok":true,"emoji":"🍩"}');
const server = createServer({ keepAliveTimeout: 120_000 }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`backend listening on port ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => process.exit(0));

// An unmodified app for tests in network namespaces (ip netns exec): it knows
// nothing of the mesh. Lines on stdout are its whole interface with the test.
//   serve http:8080,echo:7000   HTTP/1 (http) and h2c (h2) servers answering {port, clientId}, TCP echo servers;
//                               prints {"listening":true}; ends when stdin closes
//   get URL [HOST]              one HTTP GET (with that Host); prints {status, body, proxyError}
//   h2get URL                   one HTTP/2 (prior knowledge) GET; prints {status, body}
//   echo HOST PORT TEXT         sends TEXT, prints {reply} once it came back whole
//   load URL SECONDS N [HOST]   N clients, each a new connection per GET, for SECONDS; prints {connections, errors}
import { createServer as createHttpServer, request } from 'node:http';
import { connect as connect2, createServer as createH2Server } from 'node:http2';
import { connect, createServer as createTcpServer, type Server } from 'node:net';

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const [mode, ...args] = process.argv.slice(2);

if (mode === 'serve') {
  const servers: Server[] = (args[0] ?? '').split(',').map((spec) => {
    const [kind, port] = spec.split(':');
    const answer = (headers: Record<string, string | string[] | undefined>) =>
      JSON.stringify({ port: Number(port), clientId: headers['weft-client-id'] ?? null });
    const server =
      kind === 'http'
        ? createHttpServer((req, res) => {
            res.setHeader('content-type', 'application/json');
            res.end(answer(req.headers));
          })
        : kind === 'h2'
          ? createH2Server((req, res) => res.end(answer(req.headers)))
          : createTcpServer((socket) => {
              socket.on('error', () => {});
              socket.pipe(socket);
            });
    server.listen(Number(port), '0.0.0.0');
    return server as Server;
  });
  await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? r(null) : s.once('listening', r)))));
  say({ listening: true });
  process.stdin.on('end', () => process.exit(0)).resume();
} else if (mode === 'get') {
  const headers = args[1] ? { host: args[1] } : {};
  const req = request(args[0] as string, { timeout: 15_000, headers }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      body += chunk;
    });
    res.on('end', () => say({ status: res.statusCode, body, proxyError: res.headers['weft-proxy-error'] ?? null }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err: NodeJS.ErrnoException) => say({ error: err.code ?? err.message }));
  req.end();
} else if (mode === 'h2get') {
  const url = new URL(args[0] as string);
  const session = connect2(url.origin);
  session.on('error', (err: NodeJS.ErrnoException) => say({ error: err.code ?? err.message }));
  const stream = session.request({ ':path': url.pathname });
  let status = 0;
  let body = '';
  stream.setEncoding('utf8');
  stream.on('response', (headers) => {
    status = Number(headers[':status']);
  });
  stream.on('data', (chunk) => {
    body += chunk;
  });
  stream.on('end', () => {
    say({ status, body });
    session.close();
  });
  stream.on('error', (err: NodeJS.ErrnoException) => say({ error: err.code ?? err.message }));
} else if (mode === 'echo') {
  const [host, port, text = ''] = args;
  const socket = connect({ host, port: Number(port), timeout: 15_000 });
  let reply = '';
  socket.setEncoding('utf8');
  socket.on('connect', () => socket.write(text));
  socket.on('data', (chunk) => {
    reply += chunk;
    if (reply.length >= text.length) {
      say({ reply });
      socket.destroy();
    }
  });
  socket.on('timeout', () => socket.destroy(new Error('timeout')));
  socket.on('error', (err: NodeJS.ErrnoException) => say({ error: err.code ?? err.message, reply }));
} else if (mode === 'load') {
  const [url, seconds, clients, host] = args;
  const until = performance.now() + Number(seconds) * 1000;
  let connections = 0;
  let errors = 0;
  const client = async () => {
    while (performance.now() < until) {
      const ok = await new Promise<boolean>((resolve) => {
        const req = request(url as string, { agent: false, headers: host ? { host } : {} }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', () => resolve(false));
        req.end();
      });
      if (ok) connections++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: Number(clients) }, client));
  say({ connections, errors });
} else {
  console.error(
    `usage: pod-app.ts serve SPECS | get URL [HOST] | echo HOST PORT TEXT | load URL SECONDS N [HOST] (got ${mode})`,
  );
  process.exit(2);
}

// A client the pods tests run inside a pod, as its app would:
// `tcp HOST PORT TEXT` sends TEXT and prints what came back before the server
// closed or 5 s passed; `http URL` prints the status and body, or the error.
// One JSON line on stdout is the whole interface with the test.
import { connect } from 'node:net';

const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const [mode, ...args] = process.argv.slice(2);

if (mode === 'tcp') {
  const [host, port, text = ''] = args;
  const socket = connect({ host: host as string, port: Number(port) });
  let reply = '';
  socket.setTimeout(10_000, () => socket.destroy(new Error('ETIMEDOUT')));
  socket.on('connect', () => socket.write(text));
  socket.on('data', (chunk) => {
    reply += chunk;
    // The echo is whole: close our side, which the mesh carries through to the server.
    if (reply.length >= text.length) socket.end();
  });
  let error: string | undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => {
    error = err.code ?? err.message;
  });
  socket.on('close', () => say({ reply, error }));
} else if (mode === 'http') {
  try {
    const res = await fetch(args[0] as string, { signal: AbortSignal.timeout(10_000) });
    say({ status: res.status, body: await res.text(), proxyError: res.headers.get('weft-proxy-error') });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    say({ error: cause?.code ?? (err as Error).message });
  }
} else {
  console.error(`usage: pod-client.ts tcp HOST PORT TEXT | http URL (got ${mode})`);
  process.exit(2);
}

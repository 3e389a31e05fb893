// Tiny apps the pods tests run as Deployments, unchanged by the mesh:
// `echo PORT` returns every byte it receives over plain TCP (an opaque
// protocol for the proxies); `ports PORT...` answers each HTTP request with
// the port it arrived on, on every port given.
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

const [mode, ...ports] = process.argv.slice(2);
if (mode === 'echo') {
  createServer((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  }).listen(Number(ports[0]), () => console.log(`echo listening on ${ports[0]}`));
} else if (mode === 'ports') {
  for (const port of ports) {
    createHttpServer((_req, res) => res.end(`port ${port}`)).listen(Number(port), () =>
      console.log(`listening on ${port}`),
    );
  }
} else {
  console.error(`usage: pod-servers.ts echo PORT | ports PORT... (got ${mode})`);
  process.exit(2);
}

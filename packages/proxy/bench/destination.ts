import { TestDestination } from '../test/support/destination-server.ts';

// A destination server for benchmarks: serves one authority whose endpoints
// come from WEFT_BENCH_ENDPOINTS (`ip:port=identity,...`), prints its port.

const authority = process.env.WEFT_BENCH_AUTHORITY ?? '';
const endpoints = (process.env.WEFT_BENCH_ENDPOINTS ?? '').split(',').map((entry) => {
  const [addr = '', identity] = entry.split('=');
  const colon = addr.lastIndexOf(':');
  return { ip: addr.slice(0, colon), port: Number(addr.slice(colon + 1)), identity };
});
const destination = new TestDestination();
destination.set(authority, endpoints);
const port = await destination.start();
console.log(`destination listening on port ${port}`);
process.on('SIGTERM', () => {
  destination.stop();
  process.exit(0);
});

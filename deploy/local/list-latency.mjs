// Latency of emojivoto's GET /api/list as a browser sees it, for comparing
// the local runtime with and without the mesh (docs/adr/0004). Sequential
// requests on one keep-alive connection, after a warm-up.
//   node deploy/local/list-latency.mjs http://localhost:8080 [requests]
import { Agent, get } from 'node:http';

const [base = 'http://localhost:8080', count = '2000'] = process.argv.slice(2);
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function once() {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    get(`${base}/api/list`, { agent }, (res) => {
      res.resume();
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
          : reject(new Error(`status ${res.statusCode}`)),
      );
    }).on('error', reject);
  });
}

for (let i = 0; i < 200; i++) await once();
const times = [];
for (let i = 0; i < Number(count); i++) times.push(await once());
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
console.log(`${base}/api/list n=${times.length} p50=${at(0.5)}ms p90=${at(0.9)}ms p99=${at(0.99)}ms`);
agent.destroy();

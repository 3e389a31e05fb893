// k6 load test for emojivoto's web service (the TypeScript port or the original).
//
//   k6 run loadtests/k6/emojivoto.js                               # web on localhost:8080
//   k6 run -e WEB_URL=http://web-svc.emojivoto loadtests/k6/emojivoto.js
//   k6 run -e LIST_RATE=100 -e VOTE_RATE=50 -e DURATION=2m loadtests/k6/emojivoto.js
//
// In a cluster it runs as a Job (deploy/loadtest/k6-job.yaml, which mounts
// this file from a ConfigMap that deploy/loadtest/configmap.sh writes; see
// docs/kubernetes.md), with the same variables set in the Job's env.
//
// Three open-model scenarios (constant arrival rate, so a slow server shows
// up as latency and dropped_iterations instead of quietly lowering the load):
//   list      GET /api/list
//   vote      GET /api/vote for a random emoji other than the doughnut: must succeed
//   doughnut  GET /api/vote?choice=:doughnut:, which fails by design (HTTP 500)
// Every request carries a `name` tag so the 99 vote URLs form one series, and
// the doughnut is tagged apart, so `http_req_failed` thresholds on list and
// vote can be strict while the doughnut's expected 500s are counted, not failed.
// k6 exits 99 when a threshold fails.

import { check } from 'k6';
import http from 'k6/http';
import { Rate } from 'k6/metrics';

const WEB_URL = __ENV.WEB_URL || 'http://localhost:8080';
const DURATION = __ENV.DURATION || '1m';
const LIST_RATE = Number(__ENV.LIST_RATE || 20);
const VOTE_RATE = Number(__ENV.VOTE_RATE || 20);
const DOUGHNUT_RATE = Number(__ENV.DOUGHNUT_RATE || 3);

// Share of doughnut votes that failed, reported without a threshold: 1.0 is
// the default (v11) behaviour, lower once FAILURE_RATE is set or retries are on.
const doughnutFailed = new Rate('doughnut_failed');

function arrival(rate, exec) {
  return {
    executor: 'constant-arrival-rate',
    exec,
    rate,
    timeUnit: '1s',
    duration: DURATION,
    preAllocatedVUs: Math.max(2, Math.ceil(rate / 4)),
    maxVUs: Math.max(10, rate * 2),
  };
}

export const options = {
  scenarios: {
    list: { ...arrival(LIST_RATE, 'list'), tags: { route: 'list' } },
    vote: { ...arrival(VOTE_RATE, 'vote'), tags: { route: 'vote' } },
    doughnut: { ...arrival(DOUGHNUT_RATE, 'doughnut'), tags: { route: 'doughnut' } },
  },
  thresholds: {
    'http_req_failed{scenario:list}': ['rate<0.01'],
    'http_req_failed{scenario:vote}': ['rate<0.01'],
    'http_req_duration{scenario:list}': ['p(95)<300'],
    'http_req_duration{scenario:vote}': ['p(95)<300'],
    'http_req_duration{scenario:doughnut}': ['p(95)<300'],
    // The doughnut must fail cleanly with a JSON error, not time out.
    'checks{scenario:doughnut}': ['rate>0.99'],
  },
};

// Fetched once in setup, so the vote scenario picks from what web really serves.
export function setup() {
  const res = http.get(`${WEB_URL}/api/list`, { tags: { name: 'setup-list' } });
  if (res.status !== 200) throw new Error(`GET ${WEB_URL}/api/list answered ${res.status}`);
  const shortcodes = res.json().map((emoji) => emoji.shortcode);
  return { choices: shortcodes.filter((s) => s !== ':doughnut:') };
}

// A body that is not JSON (say, a proxy's plain-text error) fails the check
// instead of throwing out of the iteration.
function jsonOf(res) {
  try {
    return res.json();
  } catch {
    return null;
  }
}

export function list() {
  const res = http.get(`${WEB_URL}/api/list`, { tags: { name: 'GET /api/list' } });
  check(res, {
    'list: status 200': (r) => r.status === 200,
    'list: 99 emojis': (r) => r.status === 200 && jsonOf(r)?.length === 99,
  });
}

export function vote(data) {
  const choice = data.choices[Math.floor(Math.random() * data.choices.length)];
  const res = http.get(`${WEB_URL}/api/vote?choice=${encodeURIComponent(choice)}`, {
    tags: { name: 'GET /api/vote' },
  });
  check(res, { 'vote: status 200': (r) => r.status === 200 });
}

export function doughnut() {
  const res = http.get(`${WEB_URL}/api/vote?choice=${encodeURIComponent(':doughnut:')}`, {
    tags: { name: 'GET /api/vote (doughnut)' },
    // A 500 is the expected answer here, so it does not count in http_req_failed.
    responseCallback: http.expectedStatuses(200, 500),
  });
  doughnutFailed.add(res.status !== 200);
  check(res, {
    'doughnut: 200, or 500 with a JSON error': (r) =>
      r.status === 200 || (r.status === 500 && typeof jsonOf(r)?.error === 'string'),
  });
}

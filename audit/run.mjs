// Runs the graphql-http server audits (GraphQL over HTTP conformance) against a running jixiao:
//   node run.mjs http://127.0.0.1:8080/graphql
// Prints every audit and exits 1 when any MUST or SHOULD audit fails (MAY audits are reported
// but allowed to fail), 2 when the server cannot be reached.
import { serverAudits } from 'graphql-http';

const url = process.argv[2] || process.env.JIXIAO_GRAPHQL_URL;
if (!url) {
  console.error('usage: node run.mjs URL (e.g. http://127.0.0.1:8080/graphql)');
  process.exit(2);
}

const headers = process.env.JIXIAO_READ_KEY ? { authorization: `Bearer ${process.env.JIXIAO_READ_KEY}` } : {};
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...headers, ...(init.headers || {}) }, signal: AbortSignal.timeout(30_000) });

const counts = {};
let blocking = 0;
for (const { id, name, fn } of serverAudits({ url, fetchFn })) {
  const result = await fn();
  const level = name.split(' ')[0]; // MUST, SHOULD or MAY
  const key = `${level} ${result.status}`;
  counts[key] = (counts[key] || 0) + 1;
  const mark = result.status === 'ok' ? 'ok  ' : result.status === 'warn' ? 'warn' : 'FAIL';
  console.log(`${mark} ${id} ${name}`);
  if (result.status !== 'ok') {
    const res = result.response;
    const body = res ? await res.text().catch(() => '') : '';
    console.log(`       ${result.reason}${res ? ` (status ${res.status}, body ${body.slice(0, 200)})` : ''}`);
    if (level === 'MUST' || level === 'SHOULD') blocking++;
  }
}
const summary = Object.entries(counts).sort().map(([k, n]) => `${k}: ${n}`).join(', ');
console.log(`\ngraphql-http audit of ${url}: ${summary}`);
if (blocking > 0) {
  console.log(`${blocking} MUST or SHOULD audits failed`);
  process.exit(1);
}
console.log('no MUST or SHOULD audit failed');

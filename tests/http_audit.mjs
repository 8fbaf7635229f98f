// Runs the GraphQL-over-HTTP audits of the npm package graphql-http against a live server.
//
// Usage: node tests/http_audit.mjs http://127.0.0.1:8000/graphql
// Prints one JSON object: every audit with its id, name, status and, when it failed,
// the reason. Exit status 0 when every MUST and every SHOULD audit passed, 1 otherwise,
// 2 for usage errors. MAY audits are reported but do not decide the outcome.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node tests/http_audit.mjs GRAPHQL_URL');
  process.exit(2);
}

const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? undefined : result.reason,
  });
}

const required = results.filter(
  (result) => result.name.startsWith('MUST') || result.name.startsWith('SHOULD'),
);
const failed = required.filter((result) => result.status !== 'ok');
console.log(JSON.stringify({ results, required: required.length, failed: failed.length }, null, 2));
process.exit(failed.length === 0 ? 0 : 1);

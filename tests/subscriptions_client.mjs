// A real graphql-transport-ws client (the npm package graphql-ws, over ws) for the
// subscription tests. Prints one JSON object per line on stdout; the test reads them.
//
// Usage: node tests/subscriptions_client.mjs WS_URL SCENARIO
//   listen  subscribe to articlesAdded (filter from the env var FILTER, JSON) and
//           graphReloaded; print {"event": name, "data": ...} for each event, and
//           {"connected": true} once the connection is acknowledged. Runs until stdin
//           closes.
//   subscribe  QUERY from the env var QUERY on one connection; print the first
//           result or error ({"result": ...} / {"errors": ...} / {"closed": ...}).
//   many   COUNT (env) subscriptions to graphReloaded on one connection; print each
//           one's error, if any, within a second.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, scenario] = process.argv.slice(2);
if (!url || !scenario) {
  console.error('usage: node tests/subscriptions_client.mjs WS_URL SCENARIO');
  process.exit(2);
}

const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const closed = (event) => ({ closed: { code: event.code, reason: event.reason, message: event.message } });

function client(extra = {}) {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    on: {
      connected: () => print({ connected: true }),
      closed: (event) => print(closed(event)),
    },
    onNonLazyError: () => {},
    ...extra,
  });
}

function subscribe(connection, query, variables, name) {
  return new Promise((resolve) => {
    connection.subscribe(
      { query, variables },
      {
        next: (result) => print(name ? { event: name, data: result.data ?? null, errors: result.errors } : { result }),
        error: (error) => {
          // An error message carries the GraphQL errors; a close event, code and reason.
          print(Array.isArray(error) ? { errors: error } : closed(error));
          resolve();
        },
        complete: resolve,
      },
    );
  });
}

if (scenario === 'listen') {
  const connection = client();
  const filter = JSON.parse(process.env.FILTER || 'null');
  subscribe(
    connection,
    `subscription ($filter: ArticleFilter) {
       articlesAdded(filter: $filter) { version articles { url title provider { domain } } }
     }`,
    { filter },
    'articlesAdded',
  );
  subscribe(connection, 'subscription { graphReloaded { articles version } }', {}, 'graphReloaded');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await connection.dispose();
    process.exit(0);
  });
} else if (scenario === 'subscribe') {
  const connection = client();
  await Promise.race([
    subscribe(connection, process.env.QUERY, {}, null),
    new Promise((resolve) => setTimeout(resolve, 5000)),
  ]);
  await connection.dispose();
  process.exit(0);
} else if (scenario === 'many') {
  const connection = client();
  const count = Number(process.env.COUNT);
  for (let i = 0; i < count; i += 1) {
    subscribe(connection, 'subscription { graphReloaded { version } }', {}, null);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  print({ done: true });
  await connection.dispose();
  process.exit(0);
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}

// Composes content-graph (a running server, its URL the first argument) with the notes
// subgraph using @apollo/composition, then serves the supergraph with @apollo/gateway,
// both on free loopback ports. Prints one JSON line, {"gateway": URL, "notes": URL,
// "hints": [...]}, once ready, and serves until stdin closes or it is killed.
// Exits 2 with the composition errors on stderr when the subgraphs do not compose.
import { ApolloGateway } from "@apollo/gateway";
import { composeServices } from "@apollo/composition";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { parse } from "graphql";
import { startNotesSubgraph } from "./notes_subgraph.mjs";

async function subgraphSdl(url) {
  // What rover's `subgraph introspect` and IntrospectAndCompose ask a subgraph.
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: "{ _service { sdl } }" }),
  });
  const body = await response.json();
  if (!response.ok || body.errors) {
    throw new Error(`${url} did not give its SDL: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.data._service.sdl;
}

// @apollo/gateway otherwise sends usage metrics to Apollo and, to label them, probes
// cloud metadata addresses: a test talks to loopback only. Read when the gateway is built.
process.env.APOLLO_TELEMETRY_DISABLED = "true";

const contentGraphUrl = process.argv[2];
if (!contentGraphUrl) {
  console.error("usage: node gateway.mjs CONTENT_GRAPH_GRAPHQL_URL");
  process.exit(64);
}

const notes = await startNotesSubgraph();
const services = [
  { name: "content-graph", url: contentGraphUrl },
  { name: "notes", url: notes.url },
];
for (const service of services) {
  service.typeDefs = parse(await subgraphSdl(service.url));
}
const composed = composeServices(services);
if (composed.errors) {
  for (const error of composed.errors) console.error(error.message);
  process.exit(2);
}

const gateway = new ApolloGateway({ supergraphSdl: composed.supergraphSdl });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: 0 } });
const hints = (composed.hints || []).map((hint) => hint.toString());
console.log(JSON.stringify({ gateway: url, notes: notes.url, hints }));

const stop = async () => {
  await server.stop();
  await notes.stop();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);

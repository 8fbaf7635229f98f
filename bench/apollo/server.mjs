// The benchmark's Node.js peer: Apollo Server 5 (its standalone HTTP server) over the same
// records as content-graph, with the SDL content-graph prints (`content-graph schema`).
//
//   NODE_ENV=production node bench/apollo/server.mjs DATA_DIR SCHEMA_FILE [PORT]
//
// It listens on 127.0.0.1 (port 0, the default, picks a free one) and, once the data is
// loaded and the server listens, prints one JSON line: {"url": ..., "articles": N}.
// bench/peer.py starts it, checks its answers against content-graph's and drives it with wrk.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { loadGraph } from "./load.mjs";
import { resolvers } from "./resolvers.mjs";

const [dataDir, schemaFile, port = "0"] = process.argv.slice(2);
if (!dataDir || !schemaFile) {
  console.error("usage: node server.mjs DATA_DIR SCHEMA_FILE [PORT]");
  process.exit(2);
}
const graph = loadGraph(dataDir);
const server = new ApolloServer({
  typeDefs: readFileSync(schemaFile, "utf8"),
  resolvers: resolvers(graph),
  includeStacktraceInErrorResponses: false,
  // content-graph's SDL is a federation subgraph's (it has `_service`), for which Apollo
  // would turn on inline tracing and say so on stdout, where our first line must be the
  // JSON one. The benchmark's clients never ask for traces.
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(port) },
});
process.stdout.write(`${JSON.stringify({ url, articles: graph.articles.length })}\n`);
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    await server.stop();
    process.exit(0);
  });
}

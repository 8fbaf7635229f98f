// A second subgraph, for tests only: it extends content-graph's Article (by its `id` key)
// with a `note`, and has a root field that returns an Article by ID, whose other fields a
// gateway must fetch from content-graph through `_entities`. The note is made from the ID
// alone, so a test can tell what it should be without asking this service.
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";

export const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key"])

  # Described by content-graph: the same descriptions here would only be repeated.
  type Article @key(fields: "id") {
    id: ID!
    "A note on the article: 'note:' and the length of its ID."
    note: String!
  }

  type Query {
    "The article with this ID; every other field of it comes from content-graph."
    pinnedArticle("An article's opaque ID." id: ID!): Article
  }
`);

export const noteFor = (id) => `note:${id.length}`;

const resolvers = {
  Query: {
    pinnedArticle: (_root, { id }) => ({ id }),
  },
  Article: {
    __resolveReference: (reference) => ({ id: reference.id }),
    note: (article) => noteFor(article.id),
  },
};

/** Starts the subgraph on a free loopback port; resolves to its URL and a stop function. */
export async function startNotesSubgraph() {
  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs, resolvers }),
    // Else it says so on stdout, where the gateway script writes its one line.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: 0 } });
  return { url, stop: () => server.stop() };
}

// Composes the SDL read from stdin (as content-graph's subgraph) with the notes subgraph,
// as `rover supergraph compose` would with a schema file. Prints {"errors": [...]}; the
// list is empty when the two compose.
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
import { typeDefs as notes } from "./notes_subgraph.mjs";

let sdl = "";
for await (const chunk of process.stdin) sdl += chunk;
const composed = composeServices([
  { name: "content-graph", url: "http://127.0.0.1:1/graphql", typeDefs: parse(sdl) },
  { name: "notes", url: "http://127.0.0.1:2/graphql", typeDefs: notes },
]);
console.log(JSON.stringify({ errors: (composed.errors || []).map((error) => error.message) }));

// Resolvers of the Apollo peer over the maps of load.mjs: the fields bench/queries.py asks
// for, with content-graph's answers (IDs, keyset cursors, orders, search scores, counts).
// Paging takes `first` and `last`; `after`/`before`, other filters and other orders are
// refused with an error: no benchmark query uses them.
import { GraphQLError, GraphQLScalarType } from "graphql";
import { canonicalUrl, normalizeDomain, slugify, words } from "./load.mjs";

const MAX_PAGE_SIZE = 100;
const DEFAULT_PAGE_SIZE = 20;
// resolvers/search.py's weights.
const TITLE_EXACT = 3;
const TITLE_PREFIX = 2;
const EXCERPT_EXACT = 1;
const EXCERPT_PREFIX = 0.5;

const base64 = (value) => Buffer.from(value, "utf8").toString("base64");
const globalId = (kind, key) => base64(`${kind}:${key}`);

// Keyset cursors as resolvers/pagination.py writes them: base64 of `k1:` and compact JSON
// (the order's name, then the item's key values).
const keysetCursor = (order, values) => base64(`k1:${JSON.stringify([order, ...values])}`);

function pageSize(name, value) {
  if (value !== null && value !== undefined && !(value >= 0 && value <= MAX_PAGE_SIZE)) {
    throw new GraphQLError(`\`${name}\` must be between 0 and ${MAX_PAGE_SIZE}, got ${value}.`);
  }
  return value ?? null;
}

// One page of `items` (already in order) as a Relay connection; `cursorOf(item)` is the
// item's keyset cursor and `nodeOf(item)` its article.
function connection(items, args, cursorOf, nodeOf) {
  if (args.after != null || args.before != null) {
    throw new GraphQLError("after/before are not served by the benchmark peer.");
  }
  let first = pageSize("first", args.first);
  const last = pageSize("last", args.last);
  if (first === null && last === null) first = DEFAULT_PAGE_SIZE;
  const total = items.length;
  let start = 0;
  let end = total;
  if (first !== null) end = Math.min(end, first);
  if (last !== null) start = Math.max(start, end - last);
  const page = items.slice(start, end);
  const nodes = page.map(nodeOf);
  const cursor = (offset) => cursorOf(page[offset]);
  return {
    totalCount: total,
    nodes,
    edges: () => nodes.map((node, offset) => ({ node, cursor: cursor(offset) })),
    pageInfo: {
      hasPreviousPage: start > 0,
      hasNextPage: end < total,
      startCursor: () => (page.length ? cursor(0) : null),
      endCursor: () => (page.length ? cursor(page.length - 1) : null),
    },
  };
}

// A list of article indexes in the default order.
function defaultOrderConnection(graph, indexes, args) {
  const cursorOf = (index) => {
    const node = graph.articles[index];
    return keysetCursor("articles:PUBLISHED_DATE_TIME:DESC", [node.publishedDateTime, node.url]);
  };
  return connection(indexes, args, cursorOf, (index) => graph.articles[index]);
}

function articleList(graph, source, args) {
  const { filter, orderBy } = args;
  let candidates = source;
  let check = null;
  if (filter) {
    const { topics, providers, minQuality, minHeat, ...others } = filter;
    if (Object.values(others).some((value) => value != null)) {
      throw new GraphQLError("The benchmark peer filters by topics, providers and thresholds only.");
    }
    const lists = [];
    if (topics?.length) {
      const slugs = new Set(topics.map(slugify));
      lists.push(union([...slugs].map((slug) => graph.bySlug.get(slug)?.articles ?? [])));
    }
    if (providers?.length) {
      const domains = new Set(providers.map(normalizeDomain));
      lists.push(union([...domains].map((domain) => graph.byDomain.get(domain)?.articles ?? [])));
    }
    if (candidates) lists.push(candidates);
    if (lists.length) {
      lists.sort((a, b) => a.length - b.length);
      const others = lists.slice(1).map((list) => new Set(list));
      candidates = lists[0].filter((index) => others.every((set) => set.has(index)));
    }
    check = (node) =>
      (minQuality == null || (node.quality !== null && node.quality >= minQuality)) &&
      (minHeat == null || (node.heat !== null && node.heat >= minHeat));
  }
  let indexes = candidates ?? graph.articles.map((_, index) => index);
  if (check) indexes = indexes.filter((index) => check(graph.articles[index]));
  const field = orderBy?.field ?? "PUBLISHED_DATE_TIME";
  const direction = orderBy?.direction ?? "DESC";
  if (field === "PUBLISHED_DATE_TIME" && direction === "DESC") {
    return defaultOrderConnection(graph, indexes, args);
  }
  if (field !== "QUALITY" && field !== "HEAT") {
    throw new GraphQLError("The benchmark peer orders by date (descending), quality or heat.");
  }
  const attribute = field.toLowerCase();
  const sign = direction === "DESC" ? -1 : 1;
  // Missing values last in both directions; ties by URL ascending (resolvers/ordering.py).
  const ordered = [...indexes].sort((a, b) => {
    const x = graph.articles[a];
    const y = graph.articles[b];
    const missing = (x[attribute] === null) - (y[attribute] === null);
    if (missing) return missing;
    const by = x[attribute] === null ? 0 : sign * (x[attribute] - y[attribute]);
    return by || (x.url < y.url ? -1 : x.url > y.url ? 1 : 0);
  });
  const cursorOf = (index) => {
    const node = graph.articles[index];
    return keysetCursor(`articles:${field}:${direction}`, [node[attribute], node.url]);
  };
  return connection(ordered, args, cursorOf, (index) => graph.articles[index]);
}

function union(lists) {
  if (lists.length === 1) return lists[0];
  return [...new Set(lists.flat())].sort((a, b) => a - b);
}

function wordsStartingWith(index, prefix) {
  const { vocabulary } = index;
  let low = 0;
  let high = vocabulary.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (vocabulary[middle] < prefix) low = middle + 1;
    else high = middle;
  }
  const found = [];
  for (let i = low; i < vocabulary.length && vocabulary[i].startsWith(prefix); i++) {
    found.push(vocabulary[i]);
  }
  return found;
}

function weights(index, word, exact, prefix) {
  const out = new Map();
  for (const found of wordsStartingWith(index, word)) {
    for (const article of index.postings.get(found)) {
      if (found === word) out.set(article, exact);
      else if (!out.has(article)) out.set(article, prefix);
    }
  }
  return out;
}

function search(graph, query, args) {
  if (args.filter) throw new GraphQLError("The benchmark peer searches without a filter.");
  const queryWords = [...new Set(words(query))];
  let ranked;
  if (!queryWords.length) {
    ranked = graph.articles.map((_, index) => [index, 0]);
  } else {
    let scores = null;
    for (const word of queryWords) {
      const found = weights(graph.titleWords, word, TITLE_EXACT, TITLE_PREFIX);
      for (const [index, weight] of weights(graph.excerptWords, word, EXCERPT_EXACT, EXCERPT_PREFIX)) {
        found.set(index, (found.get(index) ?? 0) + weight);
      }
      if (scores === null) {
        scores = found;
      } else {
        const next = new Map();
        for (const [index, score] of scores) {
          if (found.has(index)) next.set(index, score + found.get(index));
        }
        scores = next;
      }
      if (!scores.size) break;
    }
    ranked = [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
  const cursorOf = ([index, score]) => {
    const node = graph.articles[index];
    const written = Number.isInteger(score) ? `${score}.0` : JSON.stringify(score);
    const rest = [node.publishedDateTime, node.url].map((value) => JSON.stringify(value));
    return base64(`k1:[${JSON.stringify("search")},${written},${rest.join(",")}]`);
  };
  return connection(ranked, args, cursorOf, ([index]) => graph.articles[index]);
}

function relatedTopics(graph, topic, first) {
  pageSize("first", first);
  if (!topic.relatedTopics) {
    const counts = new Map();
    for (const index of topic.articles) {
      for (const other of graph.articles[index].topics) {
        if (other !== topic) counts.set(other, (counts.get(other) ?? 0) + 1);
      }
    }
    // Most first, ties by name then slug (resolvers/counts.py).
    topic.relatedTopics = [...counts]
      .sort(
        ([a, x], [b, y]) =>
          y - x ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
          (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0),
      )
      .map(([other, count]) => ({ topic: other, count }));
  }
  return topic.relatedTopics.slice(0, first ?? 10);
}

const nodeKind = (node) => ("url" in node ? "Article" : "domain" in node ? "Provider" : "Topic");

export function resolvers(graph) {
  return {
    DateTime: new GraphQLScalarType({
      name: "DateTime",
      // load.mjs keeps each date-time as content-graph writes it.
      serialize: (value) => value,
    }),
    Node: { __resolveType: nodeKind },
    Query: {
      article(_, { id, url }) {
        if (id != null) {
          const raw = Buffer.from(id, "base64").toString("utf8");
          return raw.startsWith("Article:") ? (graph.byUrl.get(raw.slice(8)) ?? null) : null;
        }
        const canonical = canonicalUrl(url);
        return canonical === null ? null : (graph.byUrl.get(canonical) ?? null);
      },
      articles: (_, args) => articleList(graph, null, args),
      search: (_, args) => search(graph, args.query, args),
      provider: (_, { domain }) => graph.byDomain.get(normalizeDomain(domain)) ?? null,
      topic: (_, { name }) => graph.bySlug.get(slugify(name)) ?? null,
    },
    Article: {
      id: (node) => globalId("Article", node.url),
      relatedFrom: (node, args) => defaultOrderConnection(graph, node.relatedFrom, args),
    },
    Provider: {
      id: (node) => globalId("Provider", node.domain),
      articleCount: (node) => node.articles.length,
      articles: (node, args) => articleList(graph, node.articles, args),
    },
    Topic: {
      id: (node) => globalId("Topic", node.slug),
      articleCount: (node) => node.articles.length,
      articles: (node, args) => articleList(graph, node.articles, args),
      relatedTopics: (node, { first }) => relatedTopics(graph, node, first),
    },
  };
}

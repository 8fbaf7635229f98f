// The graph explorer: draws the neighbourhood of a provider, topic or article, fetched
// from the GraphQL API, with cytoscape (window.cytoscape, served from node_modules).
// Clicking a node fetches and adds its own neighbourhood; the side panel links to the
// very query that did so, opened in the playground through its #query= fragment.
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("explorer-config").textContent);
  const status = document.getElementById("status");
  const ARTICLES_PER_NODE = 8;

  const ARTICLE_FIELDS = `
fragment Neighbour on Article {
  id
  title
  url
  hasRecord
  provider { id name domain }
  topics { id name slug }
  related {
    id
    title
    url
    hasRecord
    provider { id name domain }
  }
}`;

  // One query per kind of node; each is what the panel's playground link opens.
  const QUERIES = {
    provider: `query ProviderNeighbourhood($domain: String!, $first: Int!) {
  provider(domain: $domain) {
    id
    name
    domain
    articles(first: $first, filter: {hasRecord: true}) {
      nodes { ...Neighbour }
    }
  }
}
${ARTICLE_FIELDS}`,
    topic: `query TopicNeighbourhood($name: String!, $first: Int!) {
  topic(name: $name) {
    id
    name
    slug
    articles(first: $first, filter: {hasRecord: true}) {
      nodes { ...Neighbour }
    }
  }
}
${ARTICLE_FIELDS}`,
    article: `query ArticleNeighbourhood($id: ID!, $first: Int!) {
  article(id: $id) {
    ...Neighbour
    relatedFrom(first: $first) {
      nodes { ...Neighbour }
    }
  }
}
${ARTICLE_FIELDS}`,
  };

  const CHOICES = `query Choices {
  providers(first: 100, orderBy: {field: ARTICLE_COUNT, direction: DESC}) {
    nodes { domain name articleCount }
  }
  topics(first: 100, orderBy: {field: ARTICLE_COUNT, direction: DESC}) {
    nodes { slug name articleCount }
  }
}`;

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  if (typeof window.cytoscape !== "function") {
    say("The explorer's drawing script did not load from " + config.source +
      ". Run `make assets` (npm install) so the server can serve it itself.", true);
    return;
  }

  async function ask(query, variables) {
    const response = await fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
      },
      body: JSON.stringify({ query: query, variables: variables }),
    });
    let answer;
    try {
      answer = await response.json();
    } catch (error) {
      throw new Error("the server answered " + response.status + " without JSON");
    }
    if (answer.errors && answer.errors.length) {
      throw new Error(answer.errors.map((error) => error.message).join("; "));
    }
    if (!response.ok) throw new Error("the server answered " + response.status);
    return answer.data;
  }

  function playgroundLink(query, variables) {
    const fragment = new URLSearchParams({ query: query, variables: JSON.stringify(variables, null, 2) });
    return config.playground + "#" + fragment.toString();
  }

  // What a click on each kind of node asks for.
  function request(kind, key) {
    const name = { provider: "domain", topic: "name", article: "id" }[kind];
    return { query: QUERIES[kind], variables: { [name]: key, first: ARTICLES_PER_NODE } };
  }

  const cy = window.cytoscape({
    container: document.getElementById("graph"),
    minZoom: 0.2,
    maxZoom: 3,
    style: [
      {
        selector: "node",
        style: {
          label: "data(short)",
          "font-size": 9,
          color: "#1d2733",
          "text-valign": "bottom",
          "text-margin-y": 3,
          "text-wrap": "ellipsis",
          "text-max-width": 110,
          "background-color": "#3d7fc4",
          width: 14,
          height: 14,
        },
      },
      {
        selector: "node[kind = 'article'][!hasRecord]",
        style: { "background-color": "#ffffff", "border-width": 2, "border-color": "#3d7fc4" },
      },
      {
        selector: "node[kind = 'provider']",
        style: {
          shape: "round-rectangle",
          "background-color": "#f2a541",
          width: 26,
          height: 26,
          "font-size": 11,
          "font-weight": "bold",
        },
      },
      {
        selector: "node[kind = 'topic']",
        style: { shape: "diamond", "background-color": "#43a66b", width: 22, height: 22, "font-size": 10 },
      },
      { selector: "node[?expanded]", style: { "border-width": 3, "border-color": "#1d2733" } },
      { selector: "node:selected", style: { "overlay-color": "#1f6fb2", "overlay-opacity": 0.25 } },
      { selector: "edge", style: { width: 1.2, "line-color": "#c3ccd6", "curve-style": "bezier" } },
      { selector: "edge[kind = 'topic']", style: { "line-color": "#b9dcc6" } },
      {
        selector: "edge[kind = 'related']",
        style: {
          "line-color": "#c05a87",
          "line-style": "dashed",
          "target-arrow-shape": "triangle",
          "target-arrow-color": "#c05a87",
          "arrow-scale": 0.7,
        },
      },
    ],
  });

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  // Nodes and edges to add: deduplicated by ID, since neighbourhoods overlap.
  function collector() {
    const nodes = new Map();
    const edges = new Map();
    return {
      node(kind, id, label, extra) {
        if (!nodes.has(id)) {
          const short = kind === "article" ? shorten(label, 32) : label;
          nodes.set(id, Object.assign({ id: id, kind: kind, label: label, short: short }, extra));
        }
        return id;
      },
      edge(kind, source, target) {
        if (source === target) return;
        const id = kind + ":" + source + ">" + target;
        edges.set(id, { id: id, kind: kind, source: source, target: target });
      },
      nodes: nodes,
      edges: edges,
    };
  }

  function addProvider(found, provider) {
    return found.node("provider", provider.id, provider.name, { key: provider.domain, domain: provider.domain });
  }

  function addTopic(found, topic) {
    return found.node("topic", topic.id, topic.name, { key: topic.slug });
  }

  function addArticle(found, article) {
    const id = found.node("article", article.id, article.title, {
      key: article.id,
      url: article.url,
      hasRecord: article.hasRecord,
    });
    if (article.provider) found.edge("publishes", addProvider(found, article.provider), id);
    for (const topic of article.topics || []) found.edge("topic", id, addTopic(found, topic));
    for (const other of article.related || []) found.edge("related", id, addArticle(found, other));
    return id;
  }

  function neighbourhood(kind, data) {
    const found = collector();
    if (kind === "provider" || kind === "topic") {
      const centre = data[kind];
      if (!centre) return null;
      const id = kind === "provider" ? addProvider(found, centre) : addTopic(found, centre);
      for (const article of centre.articles.nodes) {
        const articleId = addArticle(found, article);
        if (kind === "topic") found.edge("topic", articleId, id);
      }
    } else {
      const centre = data.article;
      if (!centre) return null;
      const id = addArticle(found, centre);
      for (const other of centre.relatedFrom.nodes) found.edge("related", addArticle(found, other), id);
    }
    return found;
  }

  const layoutOptions = {
    name: "cose",
    animate: false,
    randomize: false,
    nodeRepulsion: () => 16000,
    idealEdgeLength: () => 75,
    nodeOverlap: 20,
    padding: 30,
  };

  // For whoever drives the page (the browser tests): the drawing, and a count of the
  // answers drawn so far, done or failed.
  const explorer = {
    cy: cy,
    articlesPerNode: ARTICLES_PER_NODE,
    draws: 0,
    busy: false,
  };
  window.contentGraphExplorer = explorer;

  // Fetch the neighbourhood of (kind, key) and add it; `from` is the clicked node, if any.
  async function expand(kind, key, label, from) {
    const asked = request(kind, key);
    explorer.busy = true;
    say("Loading the neighbourhood of " + label + "…");
    try {
      const data = await ask(asked.query, asked.variables);
      const found = neighbourhood(kind, data);
      if (found === null) {
        say("No " + kind + " named " + JSON.stringify(key) + " in the data.", true);
        return;
      }
      const centre = from ? from.position() : { x: cy.width() / 2, y: cy.height() / 2 };
      const added = [];
      for (const node of found.nodes.values()) {
        if (cy.getElementById(node.id).empty()) {
          const jitter = () => (Math.random() - 0.5) * 80;
          added.push({
            group: "nodes",
            data: node,
            position: { x: centre.x + jitter(), y: centre.y + jitter() },
          });
        }
      }
      for (const edge of found.edges.values()) {
        if (cy.getElementById(edge.id).empty()) added.push({ group: "edges", data: edge });
      }
      cy.add(added);
      const centreNode = cy.getElementById([...found.nodes.keys()][0]);
      centreNode.data({ expanded: true, query: asked.query, variables: asked.variables });
      cy.layout(layoutOptions).run();
      cy.fit(undefined, 30);
      select(centreNode);
      const count = cy.nodes().length;
      say(label + ": " + (added.filter((item) => item.group === "nodes").length) +
        " new nodes (" + count + " drawn). Click a node to draw its neighbours.");
    } catch (error) {
      say("Could not load " + label + ": " + error.message, true);
    } finally {
      explorer.busy = false;
      explorer.draws += 1;
    }
  }

  const panel = document.getElementById("selected");

  function select(node) {
    cy.elements().unselect();
    node.select();
    const data = node.data();
    // The link opens the query that draws this node's neighbourhood, run or not yet.
    const asked = data.query ? { query: data.query, variables: data.variables } : request(data.kind, data.key);
    panel.hidden = false;
    panel.querySelector(".kind").textContent = data.kind === "article" && !data.hasRecord
      ? "article (known from a link)" : data.kind;
    panel.querySelector(".label").textContent = data.label;
    panel.querySelector(".query-link").href = playgroundLink(asked.query, asked.variables);
    const page = panel.querySelector(".page-link");
    page.hidden = !data.url;
    page.href = data.url || "#";
    page.parentElement.hidden = !data.url;
  }

  cy.on("tap", "node", (event) => {
    const node = event.target;
    if (node.data("expanded")) {
      select(node);
      return;
    }
    expand(node.data("kind"), node.data("key"), node.data("label"), node);
  });

  // The picker: providers and topics by name, domain or slug.
  const choices = new Map();
  const input = document.getElementById("pick-input");

  function start(kind, key, label) {
    cy.elements().remove();
    window.history.replaceState(null, "", "#" + kind + "=" + encodeURIComponent(key));
    return expand(kind, key, label, null);
  }

  document.getElementById("pick").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const choice = choices.get(text.toLowerCase());
    if (choice) start(choice.kind, choice.key, choice.label);
    else if (text.includes(".")) start("provider", text, text);
    else start("topic", text, text);
  });

  async function boot() {
    let data;
    try {
      data = await ask(CHOICES, {});
    } catch (error) {
      say("Could not list the providers and topics: " + error.message, true);
      explorer.draws += 1;
      return;
    }
    const list = document.getElementById("pick-choices");
    function offer(kind, key, name, count) {
      const label = name + " (" + (kind === "provider" ? key : "topic") + ")";
      const choice = { kind: kind, key: key, label: name };
      for (const text of [label, key, name]) choices.set(text.toLowerCase(), choice);
      const option = document.createElement("option");
      option.value = label;
      option.textContent = count + " articles";
      list.appendChild(option);
    }
    for (const p of data.providers.nodes) offer("provider", p.domain, p.name, p.articleCount);
    for (const t of data.topics.nodes) offer("topic", t.slug, t.name, t.articleCount);

    // #provider=DOMAIN or #topic=NAME opens that one; else the busiest provider.
    const wanted = new URLSearchParams(window.location.hash.slice(1));
    for (const kind of ["provider", "topic"]) {
      const key = wanted.get(kind);
      if (key) {
        const choice = choices.get(key.toLowerCase());
        return start(kind, key, choice ? choice.label : key);
      }
    }
    const busiest = data.providers.nodes[0];
    if (busiest) return start("provider", busiest.domain, busiest.name);
    say("The data has no providers to draw.");
    explorer.draws += 1;
  }

  boot();
})();

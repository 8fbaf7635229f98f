// Records -> in-memory maps, for the Apollo peer of the benchmark (bench/peer.py).
//
// A port of the subset of graph/files.py, graph/records.py and graph/build.py that the
// benchmark's five queries (bench/queries.py) read, following ../shared/contract/SEMANTICS.md:
// files in byte-wise path order, front matter, canonical URLs, the last record wins, a
// record beats a related link and the first link wins, provider and topic names from the
// taxonomy or the most frequent spelling, the default article order, the word indexes
// of titles and excerpts. Fields no benchmark query asks for are not kept, and nothing
// is reported about skipped files: this is a benchmark peer, not a second loader.
import { readFileSync, readdirSync } from "node:fs";
import { extname, join } from "node:path";
import yaml from "js-yaml";

const MARKDOWN = new Set([".md", ".markdown"]);
const YAML_SUFFIXES = new Set([".yaml", ".yml"]);
const TAXONOMY = { organizations: "organization", topics: "topic" };
const DEFAULT_PORTS = { http: "80", https: "443" };
const TRUE_WORDS = new Set(["true", "yes", "y", "on"]);
const FALSE_WORDS = new Set(["false", "no", "n", "off"]);
// Python's `\w` on str: letters, digits and numbers of any script, and `_`.
const WORD = /[\p{L}\p{N}_]+/gu;

export function loadGraph(dataDir) {
  const files = discover(dataDir);
  const served = new Map(); // canonical URL -> record, in file order of the winner
  const organizations = new Map();
  const topicEntries = new Map();
  for (const [path, kind] of files) {
    const data = readRecord(join(dataDir, path), path);
    if (data === undefined) continue;
    if (kind === "organization") {
      const entry = organization(data);
      if (entry) organizations.set(entry.domain, entry);
    } else if (kind === "topic") {
      const entry = topicEntry(data);
      if (entry) topicEntries.set(entry.slug, entry);
    } else {
      const record = coerceRecord(data, false);
      if (!record || !record.published) continue;
      // Deleting first moves the winner to its own file position, as graph/build.py does.
      served.delete(record.url);
      served.set(record.url, record);
    }
  }
  return build([...served.values()], organizations, topicEntries);
}

// -- files -------------------------------------------------------------------------------

function discover(dataDir) {
  const found = [];
  const walk = (prefix, kind) => {
    let entries;
    try {
      entries = readdirSync(prefix ? join(dataDir, prefix) : dataDir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!prefix && entry.name === "_data") {
          for (const [folder, folderKind] of Object.entries(TAXONOMY)) {
            walk(`_data/${folder}`, folderKind);
          }
          continue;
        }
        walk(relative, kind);
      } else if (entry.isFile()) {
        const suffix = extname(entry.name).toLowerCase();
        if (MARKDOWN.has(suffix) || YAML_SUFFIXES.has(suffix)) {
          found.push([relative, kind ?? "record"]);
        }
      }
    }
  };
  walk("", null);
  // Byte-wise order of the UTF-8 paths (SEMANTICS.md's "first" and "last").
  return found.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
}

// The parsed front matter or YAML document of one file; undefined when it holds no record.
function readRecord(fullPath, path) {
  let text;
  try {
    text = readFileSync(fullPath, "utf8");
  } catch {
    return undefined;
  }
  text = text.replace(/^\uFEFF/, "").replaceAll("\r\n", "\n");
  let source = text;
  if (MARKDOWN.has(extname(path).toLowerCase())) {
    const newline = text.indexOf("\n");
    const first = newline < 0 ? text : text.slice(0, newline);
    if (first.trimEnd() !== "---") return undefined;
    const rest = newline < 0 ? "" : text.slice(newline + 1);
    const end = /^---[ \t]*$/m.exec(rest);
    if (!end) return undefined;
    source = rest.slice(0, end.index);
  }
  let documents;
  try {
    // YAML 1.2's core schema: dates stay strings, as they keep their offsets.
    documents = yaml.loadAll(source, null, { schema: yaml.CORE_SCHEMA });
  } catch {
    return undefined;
  }
  const values = documents.filter((value) => value !== null && value !== undefined);
  return values.length === 1 ? values[0] : undefined;
}

// -- fields ------------------------------------------------------------------------------

const isMapping = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

function text(data, key) {
  const value = data[key];
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return null;
}

function integer(data, key) {
  const value = data[key];
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return null;
}

function boolean(data, key) {
  const value = data[key];
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return null;
}

const MOMENT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

// An ISO-8601 date-time as Python's `datetime.fromisoformat(...).isoformat()` writes it
// (the offset kept, UTC when there is none), with microseconds since the epoch to sort by.
export function moment(value) {
  if (typeof value !== "string") return null;
  const found = MOMENT.exec(value.trim());
  if (!found) return null;
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction, zone] = found;
  const micro = fraction ? fraction.padEnd(6, "0") : "";
  let sign = "+";
  let offsetHours = "00";
  let offsetMinutes = "00";
  if (zone && zone.toUpperCase() !== "Z") {
    sign = zone[0];
    offsetHours = zone.slice(1, 3);
    offsetMinutes = zone.slice(3).replace(":", "") || "00";
  }
  const offset = (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const local = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  const time = (local - offset * 60_000) * 1000 + (micro ? Number(micro) : 0);
  const iso =
    `${year}-${month}-${day}T${hour}:${minute}:${second}` +
    (micro && Number(micro) ? `.${micro}` : "") +
    `${sign}${offsetHours}:${offsetMinutes}`;
  return { iso, time };
}

export function canonicalUrl(url) {
  if (typeof url !== "string") return null;
  url = url.trim();
  if (!url) return null;
  url = url.split("#")[0];
  const question = url.indexOf("?");
  let query = question < 0 ? "" : url.slice(question + 1);
  url = question < 0 ? url : url.slice(0, question);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  const schemeName = scheme ? scheme[1].toLowerCase() : "";
  const rest = scheme ? url.slice(scheme[0].length) : url;
  let out = schemeName ? `${schemeName}:` : "";
  let path = rest;
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    path = slash < 0 ? "" : rest.slice(slash);
    out += `//${hostPart(authority, schemeName)}`;
  }
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  out += path;
  if (query) {
    query = query
      .split("&")
      .filter((piece) => !piece.split("=")[0].startsWith("utm_"))
      .join("&");
    if (query) out += `?${query}`;
  }
  return out;
}

function hostPart(authority, scheme) {
  const at = authority.lastIndexOf("@");
  const userinfo = at < 0 ? "" : authority.slice(0, at + 1);
  const hostport = authority.slice(at + 1);
  let host = hostport;
  let port = "";
  if (!hostport.endsWith("]")) {
    const colon = hostport.lastIndexOf(":");
    if (colon >= 0) {
      host = hostport.slice(0, colon);
      port = hostport.slice(colon + 1);
    }
  }
  if (port && DEFAULT_PORTS[scheme] !== port) return `${userinfo}${host.toLowerCase()}:${port}`;
  return `${userinfo}${host.toLowerCase()}`;
}

export function normalizeDomain(domain) {
  domain = domain.trim().toLowerCase();
  return domain.startsWith("www.") ? domain.slice(4) : domain;
}

export function slugify(name) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function words(value) {
  return value ? (value.match(WORD) ?? []).map((word) => word.toLowerCase()) : [];
}

function images(data, key = "images") {
  const list = Array.isArray(data[key]) ? data[key] : [];
  const out = [];
  for (const item of list) {
    if (!isMapping(item)) continue;
    const url = text(item, "url");
    if (!url || !url.trim()) continue;
    out.push({
      url: url.trim(),
      width: integer(item, "width"),
      height: integer(item, "height"),
      title: text(item, "title"),
      isCached: boolean(item, "isCached"),
    });
  }
  return out;
}

function providerRef(data) {
  if (!isMapping(data.provider)) return null;
  const domain = text(data.provider, "domain");
  if (!domain || !normalizeDomain(domain)) return null;
  const name = text(data.provider, "name");
  return {
    domain: normalizeDomain(domain),
    name: name && name.trim() ? name.trim() : null,
    images: images(data.provider),
  };
}

function topicNames(data) {
  const seen = new Set();
  const names = [];
  for (const item of Array.isArray(data.topics) ? data.topics : []) {
    const name = typeof item === "string" ? item : typeof item === "number" ? String(item) : null;
    const slug = name ? slugify(name) : "";
    if (!slug || seen.has(slug)) continue;
    seen.add(slug);
    names.push(name.trim());
  }
  return names;
}

function coerceRecord(data, isLink) {
  if (!isMapping(data)) return null;
  const url = canonicalUrl(text(data, "webUrl")) || canonicalUrl(text(data, "originalUrl"));
  const title = text(data, "title")?.trim();
  if (!url || !title) return null;
  const related = [];
  if (!isLink) {
    const seen = new Set([url]);
    for (const item of Array.isArray(data.related) ? data.related : []) {
      const link = coerceRecord(item, true);
      if (!link || seen.has(link.url)) continue;
      seen.add(link.url);
      related.push(link);
    }
  }
  return {
    url,
    title,
    excerpt: text(data, "excerpt"),
    published: isLink || boolean(data, "published") !== false,
    moment: moment(data.publishedDateTime),
    quality: integer(data, "quality"),
    heat: integer(data, "heat"),
    provider: providerRef(data),
    topics: isLink ? [] : topicNames(data),
    images: images(data),
    related,
  };
}

function organization(data) {
  if (!isMapping(data)) return null;
  const domain = text(data, "domain");
  if (!domain || !normalizeDomain(domain)) return null;
  const name = text(data, "name");
  return {
    domain: normalizeDomain(domain),
    name: name && name.trim() ? name.trim() : null,
    images: images(data),
  };
}

function topicEntry(data) {
  if (!isMapping(data)) return null;
  const name = text(data, "name");
  if (!name || !slugify(name)) return null;
  return { slug: slugify(name), name: name.trim() };
}

// -- the graph ---------------------------------------------------------------------------

// Code-point order, as Python compares strings (`<` on JS strings compares UTF-16 units,
// which differs only beyond the Basic Multilingual Plane).
const compareText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

function mostFrequent(counts) {
  let best = null;
  for (const [name, count] of counts) {
    if (best === null || count > best[1] || (count === best[1] && name < best[0])) {
      best = [name, count];
    }
  }
  return best ? best[0] : null;
}

function article(record, hasRecord) {
  return {
    url: record.url,
    title: record.title,
    excerpt: record.excerpt,
    publishedDateTime: record.moment ? record.moment.iso : null,
    time: record.moment ? record.moment.time : null,
    quality: record.quality,
    heat: record.heat,
    hasRecord,
    images: record.images,
    provider: null,
    topics: [],
    related: [],
    relatedFrom: [],
    index: -1,
  };
}

function build(records, organizations, topicEntries) {
  const byUrl = new Map();
  const sources = [];
  for (const record of records) {
    byUrl.set(record.url, article(record, true));
    sources.push(record);
  }
  for (const record of records) {
    for (const link of record.related) {
      if (!byUrl.has(link.url)) {
        byUrl.set(link.url, article(link, false));
        sources.push(link);
      }
    }
  }

  // Providers: the taxonomy's name, else the most frequent one, else the domain.
  const names = new Map();
  const logos = new Map();
  const members = new Map();
  let position = 0;
  for (const node of byUrl.values()) {
    const ref = sources[position++].provider;
    if (!ref) continue;
    if (!members.has(ref.domain)) members.set(ref.domain, []);
    members.get(ref.domain).push(node);
    if (ref.name) {
      const counts = names.get(ref.domain) ?? new Map();
      counts.set(ref.name, (counts.get(ref.name) ?? 0) + 1);
      names.set(ref.domain, counts);
    }
    if (ref.images.length && !logos.has(ref.domain)) logos.set(ref.domain, ref.images);
  }
  const byDomain = new Map();
  for (const [domain, published] of members) {
    const entry = organizations.get(domain);
    const provider = {
      domain,
      name: entry?.name || mostFrequent(names.get(domain) ?? new Map()) || domain,
      images: entry?.images?.length ? entry.images : (logos.get(domain) ?? []),
      articles: [],
    };
    for (const node of published) node.provider = provider;
    byDomain.set(domain, provider);
  }

  // Topics: the taxonomy's name, else the most frequent spelling.
  const spellings = new Map();
  const tagged = [];
  for (const record of records) {
    const slugs = record.topics.map((name) => {
      const slug = slugify(name);
      const counts = spellings.get(slug) ?? new Map();
      counts.set(name, (counts.get(name) ?? 0) + 1);
      spellings.set(slug, counts);
      return slug;
    });
    tagged.push([byUrl.get(record.url), slugs]);
  }
  const bySlug = new Map();
  for (const [slug, counts] of spellings) {
    const entry = topicEntries.get(slug);
    bySlug.set(slug, { slug, name: entry ? entry.name : mostFrequent(counts) || slug, articles: [] });
  }
  for (const [node, slugs] of tagged) node.topics = slugs.map((slug) => bySlug.get(slug));
  for (const record of records) {
    byUrl.get(record.url).related = record.related.map((link) => byUrl.get(link.url));
  }

  // The default order: publishedDateTime descending, undated last, ties by URL.
  const articles = [...byUrl.values()].sort(
    (a, b) =>
      (a.time === null) - (b.time === null) ||
      (a.time !== null && b.time - a.time) ||
      compareText(a.url, b.url),
  );
  articles.forEach((node, index) => {
    node.index = index;
  });
  for (const node of articles) {
    node.provider?.articles.push(node.index);
    for (const topic of node.topics) topic.articles.push(node.index);
    for (const target of node.related) target.relatedFrom.push(node.index);
  }
  return {
    articles,
    byUrl,
    byDomain,
    bySlug,
    titleWords: wordIndex(articles.map((node) => node.title)),
    excerptWords: wordIndex(articles.map((node) => node.excerpt)),
  };
}

function wordIndex(texts) {
  const postings = new Map();
  texts.forEach((value, index) => {
    for (const word of new Set(words(value))) {
      if (!postings.has(word)) postings.set(word, []);
      postings.get(word).push(index);
    }
  });
  return { postings, vocabulary: [...postings.keys()].sort(compareText) };
}

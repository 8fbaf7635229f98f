"""A synthetic news corpus in the seed format, for benchmarks and the default data set.

The shape follows the real corpora rather than a uniform random draw, because that shape
is what the loader and the resolvers have to be fast and right on: provider popularity
and topic frequency fall off like a power law, most related links point at other records
of the corpus (some at unpublished ones), some at outside pages, and now and then a link
spells a URL differently (`utm_` parameters, upper-case host, default port, trailing
slash, fragment) so that only canonicalization makes it the same article. A few records
are unpublished, a few are duplicates, some files use CRLF line endings, and some records
carry only an `originalUrl`.

All text comes from the word lists below. Every string that is not a known-safe token is
written as a JSON string, which is also a YAML double-quoted scalar: PyYAML (YAML 1.1)
and yaml_rs (YAML 1.2) then read the same values, where a plain `no` or `012` would not.

The output depends only on `records` and `seed`: the same pair writes the same bytes.
"""

from __future__ import annotations

import base64
import bisect
import re
import shutil
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from pathlib import Path
from random import Random
from typing import TypeVar

from graph.identity import slugify

T = TypeVar("T")

# Owned by the generator: `--force` replaces these and nothing else in the folder.
GENERATED_PATHS = ("_news", "_data/organizations", "_data/topics")

_FIRST = (
    "Daily", "Morning", "Global", "Open", "Digital", "Silicon", "Pacific", "Northern",
    "Future", "Quantum", "Civic", "Modern", "Urban", "Signal", "Bright", "Harbor",
    "Summit", "Prairie", "Coastal", "Metro", "Atlas", "Copper", "Granite", "Lantern",
    "Meridian", "Orbit", "Pioneer", "Beacon", "Cedar", "Vector",
)  # fmt: skip
_SECOND = (
    "Circuit", "Ledger", "Wire", "Herald", "Dispatch", "Review", "Journal", "Observer",
    "Bulletin", "Post", "Report", "Monitor", "Insider", "Gazette", "Chronicle", "Beat",
    "Brief", "Digest", "Pulse", "Compass", "Lens", "Frontier", "Standard", "Courier",
)  # fmt: skip
_TLDS = ("com", "com", "com", "net", "io", "co.uk", "org", "news")
_TOPICS = (
    "Edge Computing", "Quantum Sensing", "Robotics", "AI Ethics", "Climate Tech",
    "Open Source", "Low-Code", "5G Networks", "Privacy & Security", "Data Centers",
    "E-Commerce", "Chip Design", "Space Launch", "Battery Storage", "Digital Health",
    "Autonomous Vehicles", "Speech Interfaces", "Computer Vision", "Language Models",
    "Cloud Gaming", "Fintech", "Smart Cities", "AgriTech", "Wearables", "Drones",
    "Supply Chains", "Cyber Insurance", "Remote Work", "EdTech", "Biotech",
    "Materials Science", "Satellite Internet", "Mixed Reality", "Developer Tools",
    "Data Privacy Law", "Green Hydrogen", "Micromobility", "Home Automation",
    "Streaming Media", "Digital Identity", "Semiconductors", "Ocean Tech", "Carbon Capture",
    "Neural Interfaces", "Payments", "Open Data", "Accessibility", "Public Sector IT",
    "Game Engines", "Photonics", "Nuclear Fusion", "Water Tech", "Recommender Systems",
    "Sports Analytics", "Legal Tech", "Rail Transport", "Aviation Tech", "Food Tech",
    "3D Printing", "Weather Models",
)  # fmt: skip
_COMPANIES = (
    "Quillon", "Vantor Labs", "Brightwell", "Orbix", "Kestrel Systems", "Nimbella",
    "Halcyon AI", "Tessaract", "Lumora", "Corvid Robotics", "Ferrowave", "Pellucid",
    "Stratabase", "Ondine", "Marlow & Finch", "Zephyrine", "Graviton", "Sablewood",
    "Inkfield", "Quorra Health",
)  # fmt: skip
_PLACES = (
    "Zürich", "São Paulo", "Kraków", "Montréal", "Reykjavík", "Malmö", "Lagos", "Austin",
    "Nairobi", "Seoul", "Lisbon", "Toronto", "Bengaluru", "深圳", "Tallinn", "Düsseldorf",
)  # fmt: skip
_PEOPLE = (
    "Dr. Amara Okafor", "Lena Brandt", "Tomás Ibáñez", "Priya Raman", "Jonah Whitlock",
    "Mei-Ling Cho", "Ole Sørensen", "Fatima Haddad", "Rafael Duarte", "Ines Kowalczyk",
)  # fmt: skip
_NOUNS = (
    "sensor", "chip", "model", "platform", "network", "robot", "battery", "protocol",
    "dataset", "toolkit", "satellite", "drone", "marketplace", "headset", "pipeline",
    "standard", "framework", "assistant", "grid", "camera",
)  # fmt: skip
_ADJECTIVES = (
    "low-power", "open", "modular", "faster", "cheaper", "private", "autonomous",
    "next-gen", "secure", "tiny", "self-healing", "greener", "real-time", "federated",
)  # fmt: skip
_VERBS = (
    "unveils", "launches", "tests", "scraps", "delays", "open-sources", "acquires",
    "doubles down on", "rethinks", "bets on",
)  # fmt: skip
_AUDIENCES = (
    "developers", "hospitals", "city planners", "farmers", "regulators", "small banks",
    "teachers", "retailers", "carriers", "researchers",
)  # fmt: skip
_TITLES = (
    "{company} {verb} {adj} {noun} for {audience}",
    "{company} {verb} its {noun}: what it means for {audience}",
    "Why {audience} are betting on {adj} {noun}s — and what comes next",
    '"{Adj} {noun}s are the new {noun2}s," says {person}',
    "#{tag} trends: {n} {noun}s to watch in {year}",
    "{place} startup raises ${n}M to build a {adj} {noun}",
    "Q&A: {person} on {topic}, {noun}s and 100% {adj} {noun2}s",
    "Report: {n}% of {audience} say {topic} is overhyped",
    "How {company} uses {topic} to help {audience}",
    "{topic} in {place}: {adj} {noun}s win over {audience}",
    "The {noun} that {company} won't talk about",
    "{topic} 🚀 {company}'s {adj} {noun} ships early",
)  # fmt: skip
_SENTENCES = (
    "{company} said the {adj} {noun} would reach {audience} by {year}.",
    "Analysts in {place} expect {topic} spending to grow {n}% next year.",
    '"We are only at the start," {person} said in an interview.',
    "The {noun} uses a {adj} {noun2} that costs less than ${n} per unit.",
    "Critics warn that {audience} may not be ready for {adj} {noun}s.",
    "A pilot with {n} {audience} ran for six months before the launch.",
    "It is the latest move in a crowded market for {topic}.",
    "Details on pricing: not yet announced; a beta opens in {year}.",
)  # fmt: skip
_IMAGE_SIZES = ((1200, 630), (1400, 787), (800, 450), (1280, 720), (600, 400), (2048, 1152))
_UTM = ("utm_source=rss", "utm_medium=feed&utm_source=newsletter", "utm_campaign=weekly")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .'&-]*[A-Za-z0-9.]\Z")
_YAML11_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "null", "y", "n"})


@dataclass(frozen=True, slots=True)
class Summary:
    """What one run wrote, for the command to print."""

    records: int
    unpublished: int
    duplicates: int
    crlf_files: int
    organizations: int
    topics: int


class _Provider:
    __slots__ = ("domain", "host", "name", "variant")

    def __init__(self, name: str, domain: str, www: bool) -> None:
        self.name = name
        self.domain = domain
        self.host = f"www.{domain}" if www else domain
        # A spelling some records use, so the most frequent name has to win.
        self.variant = name[4:] if name.startswith("The ") else f"{name} News"


class _Item:
    """A record to write, or an outside article that only related links mention."""

    __slots__ = (
        "amp_url", "excerpt", "heat", "image", "provider", "quality", "quoted", "title",
        "topics", "ts", "type", "url",
    )  # fmt: skip

    def __init__(
        self, provider: _Provider, url: str, title: str, excerpt: str, topics: list[str]
    ) -> None:
        self.provider = provider
        self.topics = topics
        self.url = url  # how the article's own record writes it; links vary it
        self.title = title
        self.excerpt = excerpt
        self.ts: int | None = None
        self.type = "article"
        self.quality: int | None = None
        self.heat: int | None = None
        self.image: tuple[str, int, int] | None = None
        self.amp_url: str | None = None
        self.quoted: tuple[str, str, str] | None = None

    def texts(self) -> tuple[str, str, str]:
        """Title and excerpt quoted, and the date: written once per record and per link."""
        if self.quoted is None:
            self.quoted = (_q(self.title), _q(self.excerpt), _date(self.ts))
        return self.quoted


def generate_corpus(out: Path, *, records: int, seed: int = 0, force: bool = False) -> Summary:
    """Write `records` record files (plus taxonomy files) into `out`.

    Refuses a non-empty `out` unless `force`; with `force` only `GENERATED_PATHS` are
    replaced, so a README beside them survives.
    """
    if records < 0:
        raise ValueError("the number of records cannot be negative")
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty")
        for sub in GENERATED_PATHS:
            shutil.rmtree(out / sub, ignore_errors=True)
    return _Writer(out, records, seed).write()


class _Writer:
    """One run: every random draw comes from one seeded `Random`, in a fixed order."""

    def __init__(self, out: Path, records: int, seed: int) -> None:
        self.out = out
        self.records = records
        self.rng = Random(seed)
        self.serial = 100_000  # one counter for every URL, so no two articles collide
        rng = self.rng
        n_providers = max(15, min(1500, records // 25))
        domains = _provider_names(rng, n_providers + n_providers // 2 + 5)
        self.providers = domains[:n_providers]
        self.outside_providers = domains[n_providers:]
        self.provider_cum = _zipf(len(self.providers), 1.1)
        self.outside_provider_cum = _zipf(len(self.outside_providers), 0.9)
        topics = list(_TOPICS)
        rng.shuffle(topics)
        self.topics = topics[: min(len(topics), 10 + records // 200)]
        self.topic_cum = _zipf(len(self.topics), 1.2)
        self.outside = [self._outside_item() for _ in range(records // 3 + 10)]
        self.outside_cum = _zipf(len(self.outside), 0.8)

    def write(self) -> Summary:
        rng = self.rng
        n_dups = max(1, self.records // 200) if self.records >= 20 else 0
        items = sorted(
            (self._record_item() for _ in range(self.records - n_dups)),
            key=lambda item: item.ts or 0,
        )
        # Records sit in date order, so "nearby" below means "published about then".
        unpublished = {i for i in range(len(items)) if rng.random() < 0.05}
        entries: list[tuple[_Item, bool, list[_Item]]] = []
        for i, item in enumerate(items):
            entries.append((item, i not in unpublished, self._related(items, i)))
        published = [i for i in range(len(items)) if i not in unpublished]
        for i in rng.sample(published, min(n_dups, len(published))):
            entries.append((self._duplicate(items[i]), True, self._related(items, i)))
        news = self.out / "_news"
        news.mkdir(parents=True, exist_ok=True)
        names: set[str] = set()
        crlf = 0
        for item, is_published, related in entries:
            text = self._record_text(item, is_published, related)
            if rng.random() < 0.08:
                text = text.replace("\n", "\r\n")
                crlf += 1
            name = _file_name(item, names)
            (news / name).write_bytes(text.encode())
        organizations = self._write_organizations()
        self._write_topics()
        return Summary(
            records=len(entries),
            unpublished=len(unpublished),
            duplicates=n_dups,
            crlf_files=crlf,
            organizations=organizations,
            topics=len(self.topics),
        )

    # -- items --------------------------------------------------------------------------

    def _url(self, provider: _Provider, ts: int, title: str) -> str:
        self.serial += 1
        day = datetime.fromtimestamp(ts, UTC)
        slug = _ascii_slug(title)[:60].rstrip("-")
        path = f"/{day:%Y/%m}/{slug}-{self.serial}"
        shape = self.serial % 10
        if shape == 0:
            return f"https://{provider.host}{path}/"
        if shape == 1:
            return f"https://{provider.host}/article?id={self.serial}&lang=en"
        return f"https://{provider.host}{path}"

    def _record_item(self) -> _Item:
        rng = self.rng
        provider = _pick(rng, self.providers, self.provider_cum)
        topics = self._pick_topics()
        title = self._fill(rng.choice(_TITLES), topics[0])
        ts = 1546300800 + rng.randrange(6 * 365 * 86400)  # 2019 to 2024
        url = self._url(provider, ts, title)
        item = _Item(provider, url, title, self._excerpt(topics), topics)
        item.ts = ts
        if rng.random() < 0.9:
            item.quality = 1 + int(rng.paretovariate(2.0) * 25)
        if rng.random() < 0.85:
            item.heat = 1 + int(rng.paretovariate(1.5) * 30)
        if rng.random() < 0.85:
            item.image = self._image(provider)
        if rng.random() < 0.4 and "?" not in item.url:
            item.amp_url = item.url.rstrip("/") + "/amp/"
        if rng.random() < 0.03:
            item.type = "video"
            item.url = f"https://{provider.host}/watch?v={self.serial:x}"
            item.amp_url = None
        return item

    def _outside_item(self) -> _Item:
        rng = self.rng
        provider = _pick(rng, self.outside_providers, self.outside_provider_cum)
        topics = [_pick(rng, self.topics, self.topic_cum)]
        title = self._fill(rng.choice(_TITLES), topics[0])
        ts = 1546300800 + rng.randrange(6 * 365 * 86400)
        url = self._url(provider, ts, title)
        item = _Item(provider, url, title, self._excerpt(topics), topics)
        if rng.random() < 0.95:  # a few outside links carry no date at all
            item.ts = ts
        if rng.random() < 0.8:
            item.quality = 1 + int(rng.paretovariate(2.0) * 20)
        if rng.random() < 0.6:
            item.image = self._image(provider)
        if rng.random() < 0.3 and "?" not in item.url:
            item.amp_url = item.url.rstrip("/") + "?amp"
        return item

    def _duplicate(self, original: _Item) -> _Item:
        """A second record for the same article: updated text, a differently spelled URL."""
        rng = self.rng
        url = _vary(rng, original.url)
        dup = _Item(original.provider, url, original.title, original.excerpt, original.topics)
        if rng.random() < 0.5:
            dup.title = f"Updated: {original.title}"
        dup.ts = (original.ts or 0) + rng.randrange(3600, 3 * 86400)
        dup.type = original.type
        dup.quality = (original.quality or 0) + rng.randrange(1, 20)
        dup.heat = original.heat
        dup.image = original.image
        return dup

    def _related(self, items: list[_Item], i: int) -> list[_Item]:
        rng = self.rng
        count = min(8, int(rng.expovariate(0.35)))
        seen = {items[i].url}
        chosen: list[_Item] = []
        for _ in range(count):
            if rng.random() < 0.75 and len(items) > 1:
                j = min(len(items) - 1, max(0, i + rng.randint(-40, 40)))
                target = items[j]
            else:
                target = _pick(rng, self.outside, self.outside_cum)
            if target.url not in seen:
                seen.add(target.url)
                chosen.append(target)
        return chosen

    def _image(self, provider: _Provider) -> tuple[str, int, int]:
        rng = self.rng
        width, height = rng.choice(_IMAGE_SIZES)
        query = "?w=1200&q=75" if rng.random() < 0.3 else ""
        return (
            f"https://cdn.{provider.domain}/img/{rng.getrandbits(48):012x}.jpg{query}",
            width,
            height,
        )

    # -- text ---------------------------------------------------------------------------

    def _fill(self, template: str, topic: str) -> str:
        rng = self.rng
        noun, noun2 = rng.sample(_NOUNS, 2)
        adj = rng.choice(_ADJECTIVES)
        return template.format(
            company=rng.choice(_COMPANIES),
            verb=rng.choice(_VERBS),
            adj=adj,
            Adj=adj[0].upper() + adj[1:],
            noun=noun,
            noun2=noun2,
            audience=rng.choice(_AUDIENCES),
            person=rng.choice(_PEOPLE),
            place=rng.choice(_PLACES),
            topic=topic,
            tag=re.sub(r"[^A-Za-z0-9]", "", topic),
            n=rng.randint(2, 95),
            year=rng.randint(2019, 2026),
        )

    def _excerpt(self, topics: list[str]) -> str:
        rng = self.rng
        return " ".join(
            self._fill(rng.choice(_SENTENCES), rng.choice(topics)) for _ in range(rng.randint(1, 3))
        )

    # -- emission -----------------------------------------------------------------------

    def _record_text(self, item: _Item, is_published: bool, related: list[_Item]) -> str:
        rng = self.rng
        provider = item.provider
        title, excerpt, date = item.texts()
        lines = [
            "---",
            "category: news",
            f"title: {title}",
            f"excerpt: {excerpt}",
        ]
        lines.append(f"publishedDateTime: {date}")
        if item.type == "video" or rng.random() < 0.02:
            lines.append(f"originalUrl: {_q(item.url)}")
        else:
            lines.append(f"webUrl: {_q(_vary(rng, item.url) if rng.random() < 0.03 else item.url)}")
        if item.amp_url:
            lines.append(f"ampWebUrl: {_q(item.amp_url)}")
        lines.append(f"type: {item.type}")
        if item.quality is not None:
            lines.append(f"quality: {item.quality}")
        if item.heat is not None:
            lines.append(f"heat: {item.heat}")
        lines.append(f"published: {'true' if is_published else 'false'}")
        if item.type == "video":
            embed = item.url.replace("/watch?v=", "/embed/")
            iframe = f'<iframe width="800" height="450" src="{embed}" allowfullscreen></iframe>'
            lines += ["", f"featuredContent: {_q(iframe)}"]
        name = provider.variant if rng.random() < 0.05 else provider.name
        domain = provider.host if rng.random() < 0.05 else provider.domain
        lines += ["", "provider:", f"  name: {_scalar(name)}", f"  domain: {domain}"]
        if rng.random() < 0.3:
            lines += [
                "  images:",
                f'    - url: "/assets/images/organizations/{provider.domain}-50x50.jpg"',
                "      width: 50",
                "      height: 50",
            ]
        lines += ["", "topics:"]
        for topic in item.topics:
            # Now and then a record spells a topic in lower case; the slug is the same.
            spelling = topic.lower() if rng.random() < 0.03 else topic
            lines.append(f"  - {_scalar(spelling)}")
        if item.image:
            url, width, height = item.image
            lines += ["", "images:", f"  - url: {_q(url)}", f"    width: {width}"]
            lines += [f"    height: {height}", f"    isCached: {_bool(rng.random() < 0.8)}"]
            if rng.random() < 0.5:
                lines.append(f"    title: {title}")
        if related:
            lines += ["", "related:"]
            for link in related:
                self._link_lines(link, lines)
        secret = base64.b64encode(rng.randbytes(120)).decode()
        salt = base64.b64encode(rng.randbytes(16)).decode()
        lines += ["", f'secured: "{secret};{salt}"', "---", ""]
        # The body repeats title and excerpt as written, so a test can check the quoting.
        lines += [f"# {item.title}", "", item.excerpt, ""]
        lines += [f"[Read the full story at {provider.name}]({item.url})", ""]
        return "\n".join(lines)

    def _link_lines(self, link: _Item, lines: list[str]) -> None:
        rng = self.rng
        title, excerpt, date = link.texts()
        lines.append(f"  - title: {title}")
        lines.append(f"    excerpt: {excerpt}")
        if link.ts is not None:
            lines.append(f"    publishedDateTime: {date}")
        url = _vary(rng, link.url) if rng.random() < 0.25 else link.url
        lines.append(f"    webUrl: {_q(url)}")
        if link.amp_url and rng.random() < 0.7:
            lines.append(f"    ampWebUrl: {_q(link.amp_url)}")
        lines.append(f"    type: {link.type}")
        lines += ["    provider:", f"      name: {_scalar(link.provider.name)}"]
        lines.append(f"      domain: {link.provider.domain}")
        if link.quality is not None:
            lines.append(f"    quality: {link.quality}")
        if link.image and rng.random() < 0.7:
            url, width, height = link.image
            lines += ["    images:", f"      - url: {_q(url)}", f"        width: {width}"]
            lines += [f"        height: {height}", "        isCached: true"]

    def _pick_topics(self) -> list[str]:
        rng = self.rng
        want = min(len(self.topics), rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))
        picked: list[str] = []
        while len(picked) < want:
            topic = _pick(rng, self.topics, self.topic_cum)
            if topic not in picked:
                picked.append(topic)
        return picked

    def _write_organizations(self) -> int:
        rng = self.rng
        folder = self.out / "_data" / "organizations"
        folder.mkdir(parents=True, exist_ok=True)
        written = 0
        for rank, provider in enumerate(self.providers):
            # Big providers mostly have a taxonomy entry, the long tail mostly not.
            if rng.random() >= (0.9 if rank < 10 else 0.25):
                continue
            lines = ["---", "taxonomy: organization", f"_id: {provider.domain}"]
            lines += [f"name: {_scalar(provider.name)}", f"domain: {provider.domain}", "images:"]
            for size in (50, 400):
                lines.append(
                    f"  - url: /assets/images/organizations/{provider.domain}-{size}x{size}.jpg"
                )
                lines += [f"    width: {size}", f"    height: {size}"]
            lines += ["---", ""]
            (folder / f"{provider.domain}.md").write_bytes("\n".join(lines).encode())
            written += 1
        return written

    def _write_topics(self) -> None:
        folder = self.out / "_data" / "topics"
        folder.mkdir(parents=True, exist_ok=True)
        for number, topic in enumerate(self.topics):
            slug = slugify(topic)
            tag = re.sub(r"[^A-Za-z0-9]", "", topic)
            lines = ["taxonomy: topic", f"_id: {slug}", f"name: {_scalar(topic)}", "keywords:"]
            lines += [f"  - {_q(topic.lower())}", f"  - {_q(slug.replace('-', ' '))}"]
            lines += ["hashtags:", f'  - "#{tag}"', f'  - "#{tag.lower()}"', ""]
            (folder / f"{number:02d}-{slug}.yaml").write_bytes("\n".join(lines).encode())


def _provider_names(rng: Random, count: int) -> list[_Provider]:
    combos = len(_FIRST) * len(_SECOND) * len(_TLDS)
    providers: list[_Provider] = []
    domains: set[str] = set()
    for code in rng.sample(range(combos), min(count * 2, combos)):
        first = _FIRST[code % len(_FIRST)]
        second = _SECOND[code // len(_FIRST) % len(_SECOND)]
        tld = _TLDS[code // (len(_FIRST) * len(_SECOND))]
        domain = f"{first}{second}.{tld}".lower()
        if domain in domains:
            continue
        domains.add(domain)
        style = code % 7
        name = (
            f"The {first} {second}"
            if style < 3
            else f"{first} & {second}"
            if style == 3
            else f"{first} {second}"
        )
        providers.append(_Provider(name, domain, www=code % 3 == 0))
        if len(providers) == count:
            break
    return providers


def _zipf(count: int, exponent: float) -> list[float]:
    total = 0.0
    cumulative: list[float] = []
    for rank in range(1, count + 1):
        total += 1.0 / rank**exponent
        cumulative.append(total)
    return cumulative


def _pick(rng: Random, items: list[T], cumulative: list[float]) -> T:
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _vary(rng: Random, url: str) -> str:
    """The same article's URL as another site might write it: canonicalization undoes this.

    Varying a varied URL is safe: a URL with a fragment or a port is left as it is.
    """
    base, _, query = url.partition("?")
    roll = rng.random()
    if "#" in url:
        return url
    if roll < 0.35:
        query = f"{query}&{rng.choice(_UTM)}" if query else rng.choice(_UTM)
    elif roll < 0.55:
        base = base[:-1] if base.endswith("/") else base + "/"
    elif roll < 0.85:
        scheme, _, rest = base.partition("://")
        host, _, path = rest.partition("/")
        if roll < 0.7:
            scheme, host = scheme.upper(), host.upper()
        elif ":" not in host:
            host += ":443"
        base = f"{scheme}://{host}/{path}"
    else:
        return f"{url}#comments"
    return f"{base}?{query}" if query else base


def _file_name(item: _Item, taken: set[str]) -> str:
    stem = f"{_date(item.ts)[:10]}-{_ascii_slug(item.title)[:80].rstrip('-')}"
    name, n = f"{stem}.md", 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}.md"
    taken.add(name)
    return name


def _ascii_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "untitled"


def _date(ts: int | None) -> str:
    return datetime.fromtimestamp(ts or 0, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _q(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar with the same value.
    return encode_basestring(text)


def _scalar(text: str) -> str:
    """Plain when YAML 1.1 and 1.2 both read it as this string, else quoted."""
    if _PLAIN.match(text) and text.lower() not in _YAML11_WORDS:
        return text
    return _q(text)


def _bool(value: bool) -> str:
    return "true" if value else "false"

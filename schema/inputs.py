"""Input objects and enums: filters and orders, each turned into its resolvers/ counterpart."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from resolvers import articles, ordering, providers, topics


@strawberry.enum(description="Which way an order runs; ties always go ascending.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value(ordering.OrderDirection.ASC, description="Smallest first.")
    DESC = strawberry.enum_value(ordering.OrderDirection.DESC, description="Largest first.")


@strawberry.enum(description="What to order articles by; ties by url ascending, missing last.")
class ArticleOrderField(Enum):
    PUBLISHED_DATE_TIME = strawberry.enum_value(
        ordering.ArticleOrderField.PUBLISHED_DATE_TIME,
        description="Publication time; undated articles last.",
    )
    QUALITY = strawberry.enum_value(
        ordering.ArticleOrderField.QUALITY, description="Quality; unrated articles last."
    )
    HEAT = strawberry.enum_value(
        ordering.ArticleOrderField.HEAT, description="Heat; articles without heat last."
    )
    TITLE = strawberry.enum_value(
        ordering.ArticleOrderField.TITLE, description="Title, as plain text (code-point order)."
    )


@strawberry.input(description="An order of articles: a field and a direction.")
class ArticleOrder:
    field: ArticleOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(description="Which way.")

    def to_order(self) -> ordering.ArticleOrder:
        return ordering.ArticleOrder(self.field.value, self.direction.value)


@strawberry.enum(description="What to order providers by.")
class ProviderOrderField(Enum):
    ARTICLE_COUNT = strawberry.enum_value(
        providers.ProviderOrderField.ARTICLE_COUNT,
        description="Number of served articles; ties by name, then domain.",
    )
    NAME = strawberry.enum_value(
        providers.ProviderOrderField.NAME, description="Name; ties by domain."
    )
    DOMAIN = strawberry.enum_value(
        providers.ProviderOrderField.DOMAIN, description="Domain (the default, ascending)."
    )


@strawberry.input(description="An order of providers: a field and a direction.")
class ProviderOrder:
    field: ProviderOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(description="Which way.")

    def to_order(self) -> providers.ProviderOrder:
        return providers.ProviderOrder(self.field.value, self.direction.value)


@strawberry.enum(description="What to order topics by (without an order: by slug).")
class TopicOrderField(Enum):
    ARTICLE_COUNT = strawberry.enum_value(
        topics.TopicOrderField.ARTICLE_COUNT,
        description="Number of served articles; ties by name, then slug.",
    )
    NAME = strawberry.enum_value(topics.TopicOrderField.NAME, description="Name; ties by slug.")


@strawberry.input(description="An order of topics: a field and a direction.")
class TopicOrder:
    field: TopicOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(description="Which way.")

    def to_order(self) -> topics.TopicOrder:
        return topics.TopicOrder(self.field.value, self.direction.value)


@strawberry.input(
    description=(
        "Every given condition must hold (AND). A list matches when any of its values "
        "matches (OR); an empty list is no condition."
    )
)
class ArticleFilter:
    topics: list[str] | None = strawberry.field(
        default=None, description="Topic names or slugs, case-insensitive."
    )
    providers: list[str] | None = strawberry.field(
        default=None, description="Provider domains, case-insensitive, a leading www. ignored."
    )
    types: list[str] | None = strawberry.field(
        default=None, description="Record types such as article or video; trimmed, any case."
    )
    published_after: datetime | None = strawberry.field(
        default=None, description="Published strictly later than this; undated never match."
    )
    published_before: datetime | None = strawberry.field(
        default=None, description="Published strictly earlier than this; undated never match."
    )
    min_quality: int | None = strawberry.field(
        default=None, description="Quality at least this; articles without quality never match."
    )
    min_heat: int | None = strawberry.field(
        default=None, description="Heat at least this; articles without heat never match."
    )
    has_record: bool | None = strawberry.field(
        default=None, description="True: only articles with a record; false: only related links."
    )
    text: str | None = strawberry.field(
        default=None,
        description=(
            "Words that must all occur in the title or excerpt, case-insensitive; "
            "a word also matches the start of a longer word."
        ),
    )

    def to_filter(self) -> articles.ArticleFilter:
        return articles.ArticleFilter(
            topics=self.topics,
            providers=self.providers,
            types=self.types,
            published_after=self.published_after,
            published_before=self.published_before,
            min_quality=self.min_quality,
            min_heat=self.min_heat,
            has_record=self.has_record,
            text=self.text,
        )

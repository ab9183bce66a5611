"""AsyncPaged: iterate a list operation's items across pages, following ``nextLink``."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from aiovmss._decode import decoded_name
from aiovmss.errors import AzureError

if TYPE_CHECKING:
    from aiovmss._pipeline import Pipeline

__all__ = [
    "AsyncPaged",
    "HandOverParser",
    "ModelPageParser",
    "PageParser",
    "gc_paused",
    "model_page_parser",
    "next_page_url",
]

T = TypeVar("T")

PageParser = Callable[[bytes], tuple[Sequence[T], str | None]]
"""Turns a page's body into ``(items, nextLink)``."""


class _PageModel(Protocol):
    """A pydantic page model such as ``aiovmss.models.Page[Item]``."""

    @classmethod
    def model_validate_json(cls, data: bytes, /) -> Any:
        """Parse a page body."""
        ...


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector for the block; restore its previous state after.

    Validating a page of 100 VMs allocates ~5,000 GC-tracked objects (every nested model is an
    instance, a ``__dict__`` and a fields-set), none of them garbage. With the collector on,
    those allocations trigger several young collections per page and, across pages, full ones
    that walk everything the caller holds: more than half the cost of parsing a page. This is
    the usual remedy for allocation-heavy parsing. The block must not await (another task
    would run with the collector off) and stays short; the objects are counted as usual and
    the next allocation after it may run one young collection. If another thread switches the
    collector while the block runs, the state this block found is what it restores.
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ModelPageParser:
    """A :data:`PageParser` validating a whole page body at once, every item, with the GC paused.

    ``decodes`` names the page model, for the message of an error about a body that would not
    decode.
    """

    __slots__ = ("decodes", "page_model")

    def __init__(self, page_model: type[_PageModel]) -> None:
        self.page_model = page_model
        self.decodes: str = getattr(page_model, "__name__", "Page")

    def __call__(self, body: bytes) -> tuple[Sequence[Any], str | None]:
        with gc_paused():
            page = self.page_model.model_validate_json(body or b"{}")
        return page.value, page.next_link


class HandOverParser(Generic[T]):
    """Wraps a :data:`PageParser` for one iteration; lets go of the last page while paused.

    The page handed out last is held in ``handed`` and dropped inside the GC pause, right after
    the next page is parsed. Its objects, if the caller kept none of them, are then freed while
    the collector is off, and CPython counts each freed object against the new ones, so a
    caller that drops each item does not pay a young collection over every fresh page.
    A caller that keeps the items pays what it paid before: nothing else changes.
    """

    __slots__ = ("decodes", "handed", "parse")

    def __init__(self, parse: PageParser[T]) -> None:
        self.parse = parse
        self.decodes: str = decoded_name(parse)
        self.handed: list[list[T]] = []

    def __call__(self, body: bytes) -> tuple[Sequence[T], str | None]:
        with gc_paused():
            parsed = self.parse(body)
            self.handed.clear()
        return parsed


def model_page_parser(page_model: type[_PageModel]) -> PageParser[Any]:
    """A parser validating a whole page body at once, every item, with the GC paused.

    ``page_model`` is a model with ``value`` and ``next_link`` (``aiovmss.models.Page[Item]``).
    """
    return ModelPageParser(page_model)


def next_page_url(next_link: str | None, current_url: str, api_version: str) -> str | None:
    """The URL of the next page: ``nextLink`` as given (made absolute), or None when absent.

    ARM's nextLink already carries ``api-version``; one that lacks it gets the client's.
    """
    if not next_link:
        return None
    url = urljoin(current_url, next_link)
    query = urlsplit(url).query
    if "api-version" in parse_qs(query, keep_blank_values=True):
        return url
    separator = "&" if query else "?"
    return f"{url}{separator}api-version={quote(api_version, safe='')}"


class AsyncPaged(Generic[T]):
    """The items of a list operation; ``async for`` them, or use :meth:`by_page`.

    Nothing is requested until iteration starts, and each iteration starts again from the first
    page. A server that sends the same ``nextLink`` twice ends the iteration with ``AzureError``.
    A page whose body arrives damaged (not JSON) is fetched again, as a transient failure.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        url: str,
        parse: PageParser[T],
        *,
        api_version: str,
        operation: str,
        resource: str,
    ) -> None:
        self._pipeline = pipeline
        self._url = url
        self._parse = parse
        self._api_version = api_version
        self._operation = operation
        self._resource = resource

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    def by_page(self) -> AsyncIterator[list[T]]:
        """Iterate page by page; each page is a list of items."""
        return self._pages()

    async def _items(self) -> AsyncIterator[T]:
        async for page in self._pages():
            # By index, and ``del``: no local still holds this page or its last item once the
            # next page is parsed, so the parser can let go of it (see HandOverParser).
            for index in range(len(page)):
                yield page[index]
            del page

    async def _pages(self) -> AsyncIterator[list[T]]:
        url: str | None = self._url
        seen: set[str] = set()
        parse = HandOverParser(self._parse)
        while url is not None:
            seen.add(url)
            items, next_link = await self._pipeline.send_decoded(
                "GET", url, parse, operation=self._operation, resource=self._resource
            )
            page = list(items)
            del items
            parse.handed.append(page)
            yield page
            del page
            url = next_page_url(next_link, url, self._api_version)
            if url is not None and url in seen:
                raise AzureError(
                    f"{self._operation} {self._resource}: the service repeated nextLink {url!r};"
                    " stopping to avoid an endless loop"
                )

    def __repr__(self) -> str:
        return f"<AsyncPaged {self._operation} {self._resource}>"

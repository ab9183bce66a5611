"""AsyncPaged: iterate a list operation's items across pages, following ``nextLink``."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

from aiovmss._decode import decoded_name
from aiovmss._origin import AllowedOrigins
from aiovmss._page_links import (
    DEFAULT_MAX_PAGES,
    LinkGuard,
    check_max_pages,
    next_page_url,
    trailing_next_link,
)
from aiovmss.errors import AzureError

if TYPE_CHECKING:
    from aiovmss._pipeline import FirstAttempt, Pipeline

__all__ = [
    "AsyncPaged",
    "HandOverParser",
    "ModelPageParser",
    "PageParser",
    "gc_paused",
    "model_page_parser",
    "next_page_url",
    "trailing_next_link",
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


class _ReadAhead:
    """The first attempt of the next page's GET, started before the current page is parsed."""

    __slots__ = ("key", "link", "task", "url")

    def __init__(self, pipeline: Pipeline, link: str, url: str, key: bytes) -> None:
        self.link = link  # the nextLink as read, the URL it resolved to, and its link_key
        self.url = url
        self.key = key
        self.task = asyncio.ensure_future(pipeline.first_attempt("GET", url))
        self.task.add_done_callback(_consume_outcome)

    def cancel(self) -> None:
        self.task.cancel()


def _consume_outcome(task: asyncio.Future[Any]) -> None:
    # A read-ahead that nobody awaits (the listing stopped) must not log "exception never
    # retrieved"; one that is awaited raises its exception there as usual.
    if not task.cancelled():
        task.exception()


class AsyncPaged(Generic[T]):
    """The items of a list operation; ``async for`` them, or use :meth:`by_page`.

    Nothing is requested until iteration starts, and each iteration starts again from the first
    page. A page whose body arrives damaged (not JSON) is fetched again, as a transient failure.

    Every ``nextLink`` is checked before it is requested (docs/client/security.md): one off
    the client's origins raises ``UntrustedUrlError``; one already requested (compared after
    normalising its query order, fragment, case and port), or a page past ``max_pages``
    (default 100,000), raises ``PagingError``. The pages before it are handed out first.

    Read-ahead: from the second page on, the next page's GET is sent before the current page
    is parsed and handed out, so the service works on it while this process validates and the
    caller uses the current page. Its retries, waits and errors happen only when the listing
    reaches it, as if it had been requested then. A caller that stops early has spent one GET
    it did not use (cancelled if still in flight). ``read_ahead=False``, or
    :meth:`without_read_ahead`, requests each page only when the previous one is used up.
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
        read_ahead: bool = True,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self._pipeline = pipeline
        self._url = url
        self._parse = parse
        self._api_version = api_version
        self._operation = operation
        self._resource = resource
        self.read_ahead = read_ahead
        self.max_pages = check_max_pages(max_pages)

    def without_read_ahead(self) -> Self:
        """The same listing, each page requested only once the previous one is used up."""
        return self._copy(read_ahead=False, max_pages=self.max_pages)

    def with_max_pages(self, max_pages: int) -> Self:
        """The same listing, stopped with ``PagingError`` past ``max_pages`` pages.

        Raises:
            TypeError: not an int.
            ValueError: below 1.
        """
        return self._copy(read_ahead=self.read_ahead, max_pages=max_pages)

    def _copy(self, *, read_ahead: bool, max_pages: int) -> Self:
        return type(self)(
            self._pipeline,
            self._url,
            self._parse,
            api_version=self._api_version,
            operation=self._operation,
            resource=self._resource,
            read_ahead=read_ahead,
            max_pages=max_pages,
        )

    def __aiter__(self) -> AsyncGenerator[T, None]:
        return self._items()

    def by_page(self) -> AsyncGenerator[list[T], None]:
        """Iterate page by page; each page is a list of items.

        A caller that stops early can ``aclose()`` it (``contextlib.aclosing``) to cancel
        a read-ahead still in flight at once rather than when the iterator is collected.
        """
        return self._pages()

    async def _items(self) -> AsyncGenerator[T, None]:
        async for page in self._pages():
            # By index, and ``del``: no local still holds this page or its last item once the
            # next page is parsed, so the parser can let go of it (see HandOverParser).
            for index in range(len(page)):
                yield page[index]
            del page

    async def _pages(self) -> AsyncGenerator[list[T], None]:
        url: str | None = self._url
        guard = LinkGuard(
            self._url,
            self._pipeline.origins or AllowedOrigins.of(self._url),
            self.max_pages,
            operation=self._operation,
            resource=self._resource,
        )
        parse = HandOverParser(self._parse)
        ahead: _ReadAhead | None = None
        try:
            while url is not None:
                if ahead is not None and ahead.url == url:
                    first = await ahead.task
                else:
                    if ahead is not None:
                        ahead.cancel()  # a wrong guess (see trailing_next_link)
                    first = await self._pipeline.first_attempt("GET", url)
                ahead = self._start_read_ahead(first, url, guard) if guard.pages > 1 else None
                if ahead is not None:
                    await asyncio.sleep(0)  # let its request go out before this page's parse
                items, next_link = await self._pipeline.finish_decoded(
                    first, parse, operation=self._operation, resource=self._resource
                )
                del first
                page = list(items)
                del items
                parse.handed.append(page)
                yield page
                del page
                if ahead is not None and next_link == ahead.link:
                    url = guard.follow(ahead.url, ahead.key)  # the guess was right: resolved
                else:
                    following = next_page_url(next_link, url, self._api_version)
                    url = None if following is None else guard.follow(following)
        finally:
            if ahead is not None:
                ahead.cancel()

    def _start_read_ahead(
        self, first: FirstAttempt, url: str, guard: LinkGuard
    ) -> _ReadAhead | None:
        """Request the page after ``first`` now, if its ``nextLink`` can be read off the tail.

        Only past the first page (a listing read beyond it is usually read to the end), and
        only a URL ``guard`` would follow: an allowed origin, never seen, within the cap.
        """
        outcome = first.outcome
        if not self.read_ahead or isinstance(outcome, AzureError) or outcome.status_code >= 300:
            return None
        link = trailing_next_link(outcome.body)
        if not link:
            return None
        following = next_page_url(link, url, self._api_version)
        key = None if following is None else guard.admits(following)
        if following is None or key is None:
            return None
        return _ReadAhead(self._pipeline, link, following, key)

    def __repr__(self) -> str:
        return f"<AsyncPaged {self._operation} {self._resource}>"

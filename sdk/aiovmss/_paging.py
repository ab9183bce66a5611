"""AsyncPaged: iterate a list operation's items across pages, following ``nextLink``."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar
from urllib.parse import parse_qs, quote, urljoin, urlsplit

from aiovmss._decode import decoded_name
from aiovmss._lro import origin_of
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


_JSON_SPACE = b" \t\r\n"
_NEXT_LINK_KEY = b'"nextLink"'
_MAX_SPACE = 64


def trailing_next_link(body: bytes) -> str | None:
    """The top-level ``nextLink`` of a page body, read from its tail without parsing the page.

    Only the plain shape ARM sends is read: ``nextLink`` the last member of the outermost
    object, its value a string without escapes. For any valid JSON body the answer is then
    exact: a ``"`` right before ``}`` at the very end closes the last member of the root,
    and an unescaped ``"nextLink"`` right after ``{`` or ``,`` is that member's key. Any
    other shape gives ``None``. A damaged body may give a wrong link; the caller compares
    with the parsed ``nextLink`` and drops a wrong guess.
    """
    end = _last_token(body, len(body) - 1)
    if end < 0 or body[end] != 0x7D:  # }
        return None
    close = _last_token(body, end - 1)
    if close < 0 or body[close] != 0x22:  # "
        return None
    start = body.rfind(b'"', 0, close)
    if start < 0 or body.find(b"\\", start, close) >= 0:
        return None
    colon = _last_token(body, start - 1)
    if colon < 0 or body[colon] != 0x3A:  # :
        return None
    key_end = _last_token(body, colon - 1) + 1
    key_start = key_end - len(_NEXT_LINK_KEY)
    if key_start < 0 or body[key_start:key_end] != _NEXT_LINK_KEY:
        return None
    before = _last_token(body, key_start - 1)
    if before < 0 or body[before] not in b",{":
        return None
    try:
        return body[start + 1 : close].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _last_token(body: bytes, index: int) -> int:
    """The index of the last byte at or before ``index`` that is not JSON whitespace, or -1.

    Gives up (-1) after ``_MAX_SPACE`` whitespace bytes: ARM pads with a few at most, and a
    body padded with megabytes must not cost a byte-by-byte scan for a guess.
    """
    stop = max(index - _MAX_SPACE - 1, -1)
    while index > stop and body[index] in _JSON_SPACE:
        index -= 1
    return index if index > stop else -1


class _ReadAhead:
    """The first attempt of the next page's GET, started before the current page is parsed."""

    __slots__ = ("link", "task", "url")

    def __init__(self, pipeline: Pipeline, link: str, url: str) -> None:
        self.link = link  # the nextLink as read, and the URL it resolved to
        self.url = url
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
    page. A server that sends the same ``nextLink`` twice ends the iteration with ``AzureError``.
    A page whose body arrives damaged (not JSON) is fetched again, as a transient failure.

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
    ) -> None:
        self._pipeline = pipeline
        self._url = url
        self._parse = parse
        self._api_version = api_version
        self._operation = operation
        self._resource = resource
        self.read_ahead = read_ahead

    def without_read_ahead(self) -> Self:
        """The same listing, each page requested only once the previous one is used up."""
        return type(self)(
            self._pipeline,
            self._url,
            self._parse,
            api_version=self._api_version,
            operation=self._operation,
            resource=self._resource,
            read_ahead=False,
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
        seen: set[str] = set()
        parse = HandOverParser(self._parse)
        ahead: _ReadAhead | None = None
        try:
            while url is not None:
                seen.add(url)
                if ahead is not None and ahead.url == url:
                    first = await ahead.task
                else:
                    if ahead is not None:
                        ahead.cancel()  # a wrong guess (see trailing_next_link)
                    first = await self._pipeline.first_attempt("GET", url)
                ahead = self._start_read_ahead(first, url, seen) if len(seen) > 1 else None
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
                    url = ahead.url  # the guess was right: already resolved
                else:
                    url = next_page_url(next_link, url, self._api_version)
                if url is not None and url in seen:
                    raise AzureError(
                        f"{self._operation} {self._resource}: the service repeated nextLink"
                        f" {url!r}; stopping to avoid an endless loop"
                    )
        finally:
            if ahead is not None:
                ahead.cancel()

    def _start_read_ahead(self, first: FirstAttempt, url: str, seen: set[str]) -> _ReadAhead | None:
        """Request the page after ``first`` now, if its ``nextLink`` can be read off the tail.

        Only past the first page (a listing read beyond it is usually read to the end), only
        on the same origin as ``url``, and never a URL already seen.
        """
        outcome = first.outcome
        if not self.read_ahead or isinstance(outcome, AzureError) or outcome.status_code >= 300:
            return None
        link = trailing_next_link(outcome.body)
        following = next_page_url(link, url, self._api_version) if link else None
        if not link or following is None or following in seen:
            return None
        if origin_of(following) != origin_of(url):
            return None
        return _ReadAhead(self._pipeline, link, following)

    def __repr__(self) -> str:
        return f"<AsyncPaged {self._operation} {self._resource}>"

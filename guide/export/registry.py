"""The one list of public URLs: each domain contributes a generator, the export fetches what they name.

Like Frozen-Flask's register_generator and wagtail-bakery's buildable views: a new domain (tours,
search) adds its generator to urls.py with @generator, and every export then includes its pages.
"""

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property

from guide import published
from guide.sites.models import Site


@dataclass(frozen=True)
class Scope:
    """What an export covers: the live sites in it, and whether it is the whole guide."""

    sites: list[Site]
    whole: bool = True

    @cached_property
    def bundles(self) -> list[Site]:
        """The sites with everything their pages show, loaded once for every generator."""
        return [bundle for site in self.sites if (bundle := published.site_bundle(site.slug)) is not None]


@dataclass(frozen=True)
class Target:
    """One public URL to fetch and where its answer goes in the export.

    lang: the answer is negotiated (/, /q/<CODE>): fetched with that language's cookie and
    written to a file per language, which the nginx configuration picks from the visitor's
    cookie or Accept-Language. statuses: the statuses that are this URL's real answer (a
    retired code's 410); any other status is an error. follow: more targets read from the body
    (the API's next pages).
    """

    url: str
    kind: str = "page"
    lang: str | None = None
    statuses: tuple[int, ...] = (200,)
    follow: Callable[[bytes], Iterable["Target"]] | None = field(default=None, compare=False)


Generator = Callable[[Scope], Iterable[Target]]
GENERATORS: list[Generator] = []


def generator(function: Generator) -> Generator:
    """Add a domain's URL generator to the export (a decorator)."""
    GENERATORS.append(function)
    return function


def all_targets(scope: Scope) -> Iterable[Target]:
    """Yield every target of every registered generator for this scope."""
    for function in GENERATORS:
        yield from function(scope)

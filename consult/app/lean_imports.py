"""Keep third-party packages from importing, or preparing, what Consult never uses.

pyHanko imports aiohttp (an HTTP client that builds a TLS context as it loads) as it
loads, for time stamping from a server and for fetching revocation data online: a
third of `consult documents`'s and `consult verify`'s start-up, for network work that
Consult never asks for (documents are sealed and checked against the clinic's own
certificate, offline). Two of its modules do it, and each is imported by a package
`__init__` that any use of pyHanko's signing or validation runs, so no choice of
submodules avoids them:

- `pyhanko.sign.timestamps.aiohttp_client` (HTTPTimeStamper), from pyhanko.sign.timestamps;
- `pyhanko_certvalidator.fetchers.aiohttp_fetchers` (AIOHttpFetcherBackend), from
  pyhanko.sign.validation.ades, which uses it only inside one function.

`defer_network_modules()` puts a stand-in module in place of each before pyHanko is
imported. A stand-in's classes build the real ones on first use (the real modules,
and aiohttp, are loaded then), so code that does go online still works; only an
`isinstance` check against a stand-in class would see the difference.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import re
import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # importlib.abc loads importlib.resources, a cost at every start
    from importlib.abc import Loader

# module -> the classes other modules import from it at load time
DEFERRED = {
    "pyhanko.sign.timestamps.aiohttp_client": ("HTTPTimeStamper", "AIOHttpTimeStamper"),
    "pyhanko_certvalidator.fetchers.aiohttp_fetchers": ("AIOHttpFetcherBackend",),
}
# Installed only while none of these is loaded: a stand-in after the fact would be wrong.
_LOADED_ALREADY = (*DEFERRED, "pyhanko.sign.timestamps", "pyhanko.sign.validation.ades",
                   "aiohttp")


class _StandIn(types.ModuleType):
    """A deferred module: anything asked of it loads the real module."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            # The import system asks for __path__ and the like: a plain module has none.
            raise AttributeError(name)
        return getattr(load_real(self.__name__), name)


def load_real(name: str) -> types.ModuleType:
    """The real module `name`, every stand-in replaced first (they import each other)."""
    stand_ins = {key: sys.modules.pop(key) for key in DEFERRED
                 if isinstance(sys.modules.get(key), _StandIn)}
    try:
        for key in DEFERRED:
            importlib.import_module(key)
    except BaseException:
        sys.modules.update(stand_ins)
        raise
    return sys.modules[name]


def _deferred_class(module: str, name: str) -> type:
    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        return getattr(load_real(module), name)(*args, **kwargs)

    doc = f"Stand-in for {module}.{name}: constructing one gives the real one."
    return type(name, (), {"__new__": __new__, "__doc__": doc, "__module__": __name__})


def defer_network_modules() -> None:
    """Install the stand-ins, unless pyHanko's network modules are already loaded."""
    if any(name in sys.modules for name in _LOADED_ALREADY):
        return
    for module, classes in DEFERRED.items():
        stand_in = _StandIn(module, f"Deferred by {__name__}: loaded on first use.")
        for name in classes:
            setattr(stand_in, name, _deferred_class(module, name))
        sys.modules[module] = stand_in


# --- reportlab's URI pattern ----------------------------------------------------------
#
# reportlab.platypus.paragraph compiles, as it loads, a case-insensitive pattern over
# every character up to U+FFFF (`uri_pat`): about 40 ms, a tenth of a cold `consult
# documents`. Paragraph uses it only to split a very long URI across lines, which a
# consent form or plan seldom has. While that one module loads, the pattern is handed
# out as a `LazyPattern` that compiles itself on first use; every other pattern, and
# this one when reportlab writes it differently, compiles as usual.

PARAGRAPH = "reportlab.platypus.paragraph"
_URI_PATTERN_START = "(^(?:[a-z0-9\\.\\-\\+]*)://)"


class LazyPattern:
    """A regular expression compiled when first used."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = _REAL_COMPILE(self.pattern, self.flags)
        return getattr(self._compiled, name)


_REAL_COMPILE = re.compile


def _compile_deferring_uri(pattern: Any, flags: int = 0) -> Any:
    if isinstance(pattern, str) and pattern.startswith(_URI_PATTERN_START) and flags == re.I:
        return LazyPattern(pattern, flags)
    return _REAL_COMPILE(pattern, flags)


class _DeferringLoader:
    """Runs the real loader of reportlab.platypus.paragraph with the URI pattern deferred."""

    def __init__(self, real: Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        re.compile = _compile_deferring_uri
        try:
            self.real.exec_module(module)
        finally:
            re.compile = _REAL_COMPILE

    def __getattr__(self, name: str) -> Any:  # get_source, get_code… for tools
        return getattr(self.real, name)


class _ParagraphFinder:
    """Finds reportlab.platypus.paragraph with the other finders, then wraps its loader."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PARAGRAPH:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                # A loader by its methods (create_module, exec_module): importlib.abc
                # itself is not imported (see above).
                spec.loader = cast("Loader", _DeferringLoader(spec.loader))
                return spec
        return None


def defer_reportlab_uri_pattern() -> None:
    """Install the finder, unless the module is loaded already or the finder is in place."""
    if PARAGRAPH in sys.modules or any(isinstance(f, _ParagraphFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _ParagraphFinder())


# --- imaging and shaping libraries, for the command line --------------------------------
#
# reportlab imports Pillow's Image module and HarfBuzz as it loads, about 30 ms of a
# cold `consult documents`, though a document without signatures or a logo decodes no
# image and one in a Latin script shapes nothing. For a command-line run they load on
# first use instead:
# - Pillow's Image through importlib.util.LazyLoader (the module runs when an attribute
#   of it is first read);
# - uharfbuzz through a stand-in module, as pyHanko's network modules above: a plain
#   `import` of a LazyLoader module reads its __spec__, which loads it at once in 3.11.
# Not in the app: there worker threads decode photos and build PDFs, and neither way of
# loading later is safe from two threads at once.

LAZY_FOR_COMMANDS = ("PIL.Image",)
STAND_IN_FOR_COMMANDS = ("uharfbuzz",)


class _OnFirstUse(types.ModuleType):
    """A module that is imported for real the first time anything is asked of it."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # the import system's own questions
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def defer_imaging_modules() -> None:
    """Load LAZY_FOR_COMMANDS and STAND_IN_FOR_COMMANDS on first use (each one already
    loaded is left as it is)."""
    import importlib.util

    for name in LAZY_FOR_COMMANDS:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            continue
        loader = importlib.util.LazyLoader(spec.loader)
        spec.loader = loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        loader.exec_module(module)
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)
    for name in STAND_IN_FOR_COMMANDS:
        if name not in sys.modules and importlib.util.find_spec(name) is not None:
            sys.modules[name] = _OnFirstUse(name, f"Deferred by {__name__}: loaded on first use.")

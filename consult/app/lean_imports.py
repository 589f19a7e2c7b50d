"""Keep third-party packages from importing what Consult never uses.

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
import sys
import types
from typing import Any

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

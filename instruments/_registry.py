"""Where specs come from: built-in YAML files plus user-registered scales.

The registry is process-wide and thread-safe. Built-in specs are read lazily, once, from
``instruments/specs/*.yaml``; user scales are added with
:func:`instruments.register_scale`.
"""

from __future__ import annotations

import importlib
import numbers
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import yaml

from ._errors import OptionError, SpecError, UnknownInstrumentError
from ._spec import InstrumentSpec, parse_builtin, parse_user_scale

#: libyaml's safe loader when available (same result, ~10x faster; the configuration is
#: read by every asset)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PACKAGE_DIR = Path(__file__).resolve().parent
SPEC_DIR = PACKAGE_DIR / "specs"
DATA_DIR = PACKAGE_DIR / "data"

_FAMILIES = {
    "eq5d": "instruments.eq5d",
    "whoqol": "instruments.whoqol",
    "rand36": "instruments.rand36",
    "health_literacy": "instruments.health_literacy",
    "wellbeing": "instruments.wellbeing",
    "self_efficacy": "instruments.self_efficacy",
    "srh": "instruments.srh",
    "likert": "instruments.likert",
    "e2": "instruments.e2",
}

_lock = threading.RLock()
_builtin: dict[str, InstrumentSpec] | None = None
_user: dict[str, InstrumentSpec] = {}


def _read_yaml(path: Path) -> Any:
    from ._yaml import load_yaml

    try:
        return load_yaml(path.read_text(encoding="utf-8"), path.name)
    except yaml.YAMLError as exc:
        raise SpecError(str(path), None, f"not valid YAML: {exc}") from None


def builtin_specs() -> dict[str, InstrumentSpec]:
    """All built-in specs, keyed by id (read once)."""
    global _builtin
    with _lock:
        if _builtin is None:
            specs = {}
            for path in sorted(SPEC_DIR.glob("*.yaml")):
                sp = parse_builtin(_read_yaml(path), path.name, DATA_DIR)
                if sp.family not in _FAMILIES:
                    raise SpecError(path.name, "family", f"unknown family {sp.family!r}")
                specs[sp.id] = sp
            _builtin = specs
        return _builtin


def all_specs() -> list[InstrumentSpec]:
    """Built-in specs, then user scales in registration order."""
    with _lock:
        return list(builtin_specs().values()) + list(_user.values())


def get(instrument_id: str) -> InstrumentSpec:
    """The spec of ``instrument_id``; raises :class:`UnknownInstrumentError`."""
    with _lock:
        sp = builtin_specs().get(instrument_id) or _user.get(instrument_id)
        if sp is None:
            known = sorted(builtin_specs()) + sorted(_user)
            raise UnknownInstrumentError(
                f"unknown instrument {instrument_id!r}; known: {', '.join(known)} "
                "(user scales must be registered with instruments.register_scale first)"
            )
        return sp


def load_user_scale(path_or_dict: str | Path | Mapping) -> InstrumentSpec:
    """Parse a user scale from a YAML file or a dict, without registering it."""
    if isinstance(path_or_dict, Mapping):
        return parse_user_scale(dict(path_or_dict), "<dict>")
    path = Path(path_or_dict)
    if not path.is_file():
        raise SpecError(str(path), None, "file not found")
    return parse_user_scale(_read_yaml(path), str(path))


def register(path_or_dict: str | Path | Mapping) -> str:
    """Register a user scale.

    Idempotent for identical content, wherever it was read from. A file that was edited
    since it was registered (same source path, new content) replaces its old version, so a
    long-running process (``dagster dev``, the daemon) picks up the researcher's fix. A
    *different* scale under an id that another source already registered is an error.
    """
    sp = load_user_scale(path_or_dict)
    with _lock:
        if sp.id in builtin_specs():
            raise SpecError(sp.source, "id", f"{sp.id!r} is a built-in instrument id")
        old = _user.get(sp.id)
        same_content = old is not None and replace(old, source=sp.source) == sp
        if old is not None and not same_content and old.source != sp.source:
            raise SpecError(
                sp.source, "id",
                f"a different scale with id {sp.id!r} is already registered (from {old.source}); "
                "use a new id or version the scale under a new id",
            )
        if old is None or (not same_content and old.source == sp.source):
            _user[sp.id] = sp
    return sp.id


def _unregister_all_user_scales() -> None:
    """Forget every user scale (for tests)."""
    with _lock:
        _user.clear()


def family(sp: InstrumentSpec) -> ModuleType:
    """The module holding the arithmetic of ``sp``."""
    return importlib.import_module(_FAMILIES[sp.family])


def _among(value: Any, choices: tuple) -> bool:
    """``value in choices``, but simply ``False`` for values that cannot be compared or
    hashed (e.g. an array, whose ``==`` is element-wise)."""
    try:
        hash(value)
        return value in choices
    except (TypeError, ValueError):
        return False


def resolve_options(sp: InstrumentSpec, options: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults from the spec overridden by ``options``; unknown names are an error."""
    unknown = sorted(set(options) - set(sp.options))
    if unknown:
        valid = ", ".join(sorted(sp.options)) or "none"
        raise OptionError(f"{sp.id}: unknown option(s) {', '.join(unknown)}; valid options: {valid}")
    out = {}
    for name, o in sp.options.items():
        value = options.get(name, o.default)
        if o.choices is not None and not _among(value, o.choices):
            raise OptionError(f"{sp.id}: option {name}={value!r} is not one of {', '.join(map(str, o.choices))}")
        if o.choices is not None:
            value = o.choices[o.choices.index(value)]  # the declared object (str, not numpy.str_)
        if isinstance(o.default, Mapping):
            if not isinstance(value, Mapping) or set(value) - set(o.default):
                raise OptionError(
                    f"{sp.id}: option {name} must be a mapping with keys from {', '.join(o.default)}, got {value!r}"
                )
            value = {**o.default, **value}
        out[name] = value
    return out


def is_integer(value: Any) -> bool:
    """``True`` for Python and NumPy integers (e.g. a count computed with pandas), not booleans."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_min_valid(sp: InstrumentSpec, value: Any, n_items: int, name: str = "min_valid") -> int:
    """Validate an integer ``min_valid``-style option (NumPy integers are accepted)."""
    if not is_integer(value) or not 1 <= value <= n_items:
        raise OptionError(f"{sp.id}: option {name} must be an integer in 1..{n_items}, got {value!r}")
    return int(value)

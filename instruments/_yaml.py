"""YAML for configuration files, without anchors and aliases.

PyYAML's safe loader resolves aliases (``*name``) by reference, so a small file can
describe a structure of billions of elements (the "billion laughs" or alias bomb) that
explodes as soon as anything walks it (validation, hashing, printing). Configuration files
have no need for anchors or aliases, so :func:`load_yaml` refuses them, and files larger
than :data:`MAX_BYTES`, before constructing anything.

Used for the instrument library's scale files and, through :mod:`studyconfig.config`, for the
study configuration. Pure standard library + PyYAML.
"""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's safe loader when available (same result, ~10x faster)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: largest configuration file accepted (a study configuration is a few tens of kB)
MAX_BYTES = 5_000_000


class YAMLRefused(yaml.YAMLError):
    """A YAML file uses a construct configuration files may not use (anchor, alias, size)."""


def load_yaml(text: str, source: str = "<string>") -> Any:
    """``yaml.safe_load(text)``, refusing anchors (``&name``), aliases (``*name``) and texts
    longer than :data:`MAX_BYTES`.

    Parameters
    ----------
    text : str
        The YAML document.
    source : str
        File name for messages.

    Returns
    -------
    The loaded document (dicts, lists, scalars).

    Raises
    ------
    YAMLRefused
        An anchor or alias (the message names its line), or a text too large.
    yaml.YAMLError
        Not valid YAML.

    Examples
    --------
    >>> load_yaml("a: [1, 2]\\nb: '*not an alias*'")
    {'a': [1, 2], 'b': '*not an alias*'}
    >>> load_yaml("a: &x [1, 2]\\nb: *x", "study.yaml")
    Traceback (most recent call last):
    ...
    instruments._yaml.YAMLRefused: study.yaml, line 1: YAML anchors and aliases (&name, *name) are not accepted ...
    """
    if len(text) > MAX_BYTES:
        raise YAMLRefused(f"{source}: {len(text):,} characters; configuration files are limited to "
                          f"{MAX_BYTES:,}")
    if "&" in text or "*" in text:  # only then can there be an anchor or alias: scan the tokens
        for token in yaml.scan(text, Loader=YAML_LOADER):
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                raise YAMLRefused(
                    f"{source}, line {token.start_mark.line + 1}: YAML anchors and aliases (&name, *name) are not "
                    "accepted in configuration files (they can expand into an unbounded structure); write the "
                    "values out")
    return yaml.load(text, Loader=YAML_LOADER)

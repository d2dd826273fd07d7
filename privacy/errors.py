"""The error of a wave file that cannot be read, harmonised or accepted: one class for the
readers, the per-wave checks and the identifier guard (:mod:`survey.readers`,
:mod:`privacy.problems`, :mod:`privacy.identifiers`), kept in a module of its own that
imports nothing, so none of them has to import another for it.
"""

from __future__ import annotations

__all__ = ["WaveError"]


class WaveError(ValueError):
    """A wave file that cannot be read or harmonised; the message says what and where."""

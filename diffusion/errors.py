"""User-facing errors.

A :class:`DiffusionError` is raised for a user mistake (a bad config value, a malformed
network file). The command line prints its message as one paragraph, without a traceback,
and exits non-zero. Programming errors stay ordinary exceptions with tracebacks.
"""

from __future__ import annotations


class DiffusionError(Exception):
    """A user mistake, reported as a single clear paragraph.

    The message names the bad value, what is allowed, and where possible how to fix it.
    """


class ConfigError(DiffusionError, ValueError):
    """A configuration value is missing, unknown or out of range."""


class NetworkFileError(DiffusionError, ValueError):
    """A user-supplied network file cannot be read as a graph."""

"""casework: a self-hosted case-management server."""

from importlib.metadata import version

# Defined once, in pyproject.toml; the installed metadata carries it here.
__version__ = version("casework")

"""The dialects create_app mounts: the one place that names the vendors."""

from casework.dialects.dialect import Dialect

DIALECTS: tuple[Dialect, ...] = ()

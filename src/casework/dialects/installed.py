"""The dialects create_app mounts: the one place that names the vendors."""

from casework.dialects.dialect import Dialect
from casework.dialects.kibana import DIALECT as KIBANA

DIALECTS: tuple[Dialect, ...] = (KIBANA,)

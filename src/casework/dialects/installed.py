"""The dialects create_app mounts: the one place that names the vendors."""

from casework.dialects.datadog import DIALECT as DATADOG
from casework.dialects.dialect import Dialect

DIALECTS: tuple[Dialect, ...] = (DATADOG,)

"""Compatible dialects: each vendor's case API, in its own wire format, over the one case engine.

A dialect is a package `casework.dialects.<vendor>` declaring one `Dialect` (see `casework.dialects.dialect`);
`casework.dialects.installed` lists them and `create_app` mounts each under its prefix. Dialects translate read
models and call the services: no tables, no SQL, and no dialect imports another.
"""

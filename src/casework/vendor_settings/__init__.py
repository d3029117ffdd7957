"""Configuration a vendor API keeps per workspace that the engine stores and never interprets (Kibana's case
configuration per owner: connector, closure type, templates, observable types): one JSON document per dialect and
scope, with its own version for optimistic concurrency."""

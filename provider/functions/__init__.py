"""Provider-defined functions (Terraform 1.8+, OpenTofu 1.7+): `provider::gogetssl::NAME(...)`.

They are pure and offline: Terraform calls them on an unconfigured provider, during validation as well as
plan and apply, and needs the same answer each time, so none reads the clock or the network ("now" is an
argument: `plantimestamp()`).
"""

"""Terraform-facing parts shared by resources and data sources (which never import resources/): the
interface to the provider, diagnostics, the order schema, state mapping and config rules, vendor facts."""

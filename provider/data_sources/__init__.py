"""Terraform data source types, one module per type."""

"""Terraform resource types, one module per type (named after the type without the gogetssl_ prefix)."""

"""terraform-provider-gogetssl: a Terraform provider for the GoGetSSL reseller API."""

__version__ = "0.1.0"

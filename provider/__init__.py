"""terraform-provider-gogetssl: a Terraform provider for the GoGetSSL reseller API."""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it (tool.setuptools.dynamic)

HOST, NAMESPACE, TYPE = "registry.terraform.io", "gogetssl", "gogetssl"
PROVIDER_ADDRESS = f"{HOST}/{NAMESPACE}/{TYPE}"
# OpenTofu resolves the short source to its own registry's host: mirrors and installs serve both addresses.
OPENTOFU_HOST = "registry.opentofu.org"
HOSTS = (HOST, OPENTOFU_HOST)
PROVIDER_ADDRESSES = tuple(f"{h}/{NAMESPACE}/{TYPE}" for h in HOSTS)
PROVIDER_SOURCE = f"{NAMESPACE}/{TYPE}"  # what `required_providers` names

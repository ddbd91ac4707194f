"""List resources (`terraform query`, Terraform 1.14+): one module per type, named after the resource it finds."""

# Terraform 1.14+: `terraform query` lists the matching orders; with -generate-config-out=orders.tf it also
# writes a resource block and an import block for each, which the next `terraform apply` adopts.
list "gogetssl_ssl_order" "example_com" {
  provider = gogetssl
  config {
    status = ["active", "processing"]
    domain = "*.example.com"
  }
}

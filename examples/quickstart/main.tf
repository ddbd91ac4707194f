# Quickstart: order a single-domain DV certificate with HTTP file validation.
#
# The order alone; `make demo` applies examples/single-domain-http, which also publishes the validation file
# and waits for the certificate. Against the real API, set
# GOGETSSL_API_URL (or leave it unset for production), GOGETSSL_USERNAME and GOGETSSL_PASSWORD,
# and put your own CSR in site.csr.

terraform {
  required_providers {
    gogetssl = {
      source = "gogetssl/gogetssl"
    }
  }
}

provider "gogetssl" {}

resource "gogetssl_ssl_order" "site" {
  product_id     = 65 # Sectigo PositiveSSL (sandbox catalogue)
  period         = 12
  csr            = file("${path.module}/site.csr")
  server_count   = -1
  webserver_type = 1
  dcv_method     = "http"

  admin_firstname = "Ada"
  admin_lastname  = "Lovelace"
  admin_phone     = "+44 20 7946 0000"
  admin_title     = "CTO"
  admin_email     = "ada@example.com"

  tech_firstname = "Grace"
  tech_lastname  = "Hopper"
  tech_phone     = "+1 202 555 0100"
  tech_title     = "Ops lead"
  tech_email     = "ops@example.com"
}

output "order_id" {
  value = gogetssl_ssl_order.site.order_id
}

output "order_status" {
  value = gogetssl_ssl_order.site.order_status
}

# Publish this file on the web server to pass domain control validation.
output "dcv_file" {
  value = gogetssl_ssl_order.site.approver_method.http
}

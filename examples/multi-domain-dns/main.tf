# Multi-domain (SAN) certificate, DNS validation for every domain.
# Offline: the "DNS zone" is a JSON file the sandbox reads (gogetssl-sandbox --dcv-dns-zone FILE).
terraform {
  required_providers {
    gogetssl = {
      source = "gogetssl/gogetssl"
    }
  }
}

provider "gogetssl" {}

variable "dns_names" {
  type        = list(string)
  description = "Additional domains, besides the CSR's common name."
}

variable "dcv_dns_zone" {
  type        = string
  description = "JSON file standing for the DNS zone: record name -> value."
}

resource "gogetssl_ssl_order" "site" {
  product_id      = 67 # Sectigo PositiveSSL Multi-Domain (sandbox catalogue)
  period          = 12
  csr             = file("${path.module}/site.csr")
  server_count    = -1
  webserver_type  = 1
  dcv_method      = "dns"
  dns_names       = var.dns_names
  approver_emails = [for name in var.dns_names : "dns"]

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

# Publishes every record at once; see README.md for the per-domain DNS record a real setup uses.
resource "terraform_data" "dns_zone" {
  # One entry per record name: a wildcard and its apex (*.example.com and example.com on a multi-domain wildcard
  # product) are validated by one record, so two validation_records may share it; merge() keeps it once where a
  # `{ for ... : r.record_name => ... }` map would fail on the duplicate key.
  input = merge([for r in gogetssl_ssl_order.site.validation_records : { (r.record_name) = r.record_value }]...)
  # A reissue brings new records: replace this resource so that the provisioner publishes them again.
  triggers_replace = merge([for r in gogetssl_ssl_order.site.validation_records : { (r.record_name) = r.record_value }]...)

  provisioner "local-exec" {
    command = "printf '%s' \"$ZONE\" > \"$ZONE_FILE\""
    environment = {
      ZONE      = jsonencode(self.input)
      ZONE_FILE = var.dcv_dns_zone
    }
  }
}

resource "gogetssl_ssl_order_validation" "site" {
  order_id                 = gogetssl_ssl_order.site.order_id
  csr                      = gogetssl_ssl_order.site.csr                      # a reissue (new CSR) makes it wait again
  certificate_requested_at = gogetssl_ssl_order.site.certificate_requested_at # and each reissue or renewal
  validation_record_fqdns  = keys(terraform_data.dns_zone.output)
  timeouts {
    create = "10m"
  }
}

output "validation_records" {
  value = { for r in gogetssl_ssl_order.site.validation_records : r.domain => "${r.record_name} ${r.record_type} ${r.record_value}" }
}

output "certificate_pem" {
  value = gogetssl_ssl_order_validation.site.certificate_pem
}

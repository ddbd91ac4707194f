# A DNS-validated multi-domain order whose validation records are known on the first plan
# (provider::gogetssl::dcv_records), and an action that asks the CA to check them the moment they are
# published (action_trigger). Needs Terraform 1.14+ (functions: 1.8+, actions: 1.14+).
# Offline: the "DNS zone" is a JSON file the sandbox reads (gogetssl-sandbox --dcv-dns-zone FILE).
terraform {
  required_version = ">= 1.14"
  required_providers {
    gogetssl = {
      source = "gogetssl/gogetssl"
    }
  }
}

provider "gogetssl" {}

variable "dcv_dns_zone" {
  type        = string
  description = "JSON file standing for the DNS zone: record name -> value."
}

variable "unique_code" {
  type        = string
  description = "The order's unique value, 15-20 letters and digits: the validation records are built from it."
  default     = "PlannedDcv000001"
}

locals {
  csr     = file("${path.module}/site.csr")
  names   = provider::gogetssl::csr_info(local.csr)
  records = provider::gogetssl::dcv_records(local.csr, var.unique_code, "dns")
  # One entry per record name: a wildcard and its apex share one record.
  zone = merge([for r in local.records : { (r.record_name) = r.record_value }]...)
}

resource "gogetssl_ssl_order" "site" {
  product_id      = 67 # Sectigo PositiveSSL Multi-Domain (sandbox catalogue); a Sectigo brand
  period          = 12
  csr             = local.csr
  unique_code     = var.unique_code
  server_count    = -1
  webserver_type  = 1
  dcv_method      = "dns"
  dns_names       = [for n in local.names.dns_names : n if lower(n) != lower(local.names.common_name)]
  approver_emails = [for n in local.names.dns_names : "dns" if lower(n) != lower(local.names.common_name)]

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

action "gogetssl_recheck_validation" "site" {
  config {
    order_id = gogetssl_ssl_order.site.order_id
  }
}

# Stands for a DNS provider's record resources (see README.md): its values are in the first plan.
resource "terraform_data" "dns_zone" {
  input            = local.zone
  triggers_replace = local.zone # a new CSR brings new records: publish them again

  provisioner "local-exec" {
    command = "printf '%s' \"$ZONE\" > \"$ZONE_FILE\""
    environment = {
      ZONE      = jsonencode(self.input)
      ZONE_FILE = var.dcv_dns_zone
    }
  }

  # The CA checks as soon as the records exist, instead of at its next round.
  depends_on = [gogetssl_ssl_order.site]
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.gogetssl_recheck_validation.site]
    }
  }
}

resource "gogetssl_ssl_order_validation" "site" {
  order_id                 = gogetssl_ssl_order.site.order_id
  csr                      = gogetssl_ssl_order.site.csr
  certificate_requested_at = gogetssl_ssl_order.site.certificate_requested_at
  validation_record_fqdns  = keys(terraform_data.dns_zone.output)
  timeouts {
    create = "10m"
  }
}

output "records" {
  value = { for r in local.records : r.domain => "${r.record_name} ${r.record_type} ${r.record_value}" }
}

output "certificate" {
  value = provider::gogetssl::cert_info(gogetssl_ssl_order_validation.site.certificate_pem)
}

locals {
  csr = provider::gogetssl::csr_info(file("${path.module}/site.csr"))
}

output "names" {
  value = distinct(concat([local.csr.common_name], local.csr.dns_names))
}

output "key" {
  value = "${local.csr.key_type} ${local.csr.key_size}" # e.g. "EC 256"
}

variable "order_id" {
  type = number
}

data "gogetssl_ssl_order" "site" {
  order_id = var.order_id
  lifecycle {
    postcondition {
      condition     = self.domain == lower(local.csr.common_name)
      error_message = "The order is not for this CSR's common name."
    }
  }
}

locals {
  csr = provider::gogetssl::csr_info(file("${path.module}/site.csr"))
}

output "names" {
  # A CSR's subjectAltNames usually repeat its common name.
  value = distinct(concat([local.csr.common_name], local.csr.dns_names))
}

resource "gogetssl_ssl_order" "site" {
  csr = file("${path.module}/site.csr")
  # ...
  lifecycle {
    precondition {
      condition     = local.csr.key_type != "RSA" || local.csr.key_size >= 2048
      error_message = "The CA needs an RSA key of 2048 bits or more."
    }
  }
}

variable "certificate_pem" {
  type        = string
  description = "A PEM certificate, e.g. gogetssl_ssl_order_validation.site.certificate_pem (empty until issued)."
}

output "certificate" {
  value = provider::gogetssl::cert_info(var.certificate_pem)
  # { common_name, dns_names, not_before, not_after, serial, issuer, subject, sha256_fingerprint }
}

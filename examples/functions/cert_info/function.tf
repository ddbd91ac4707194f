output "certificate" {
  value = provider::gogetssl::cert_info(gogetssl_ssl_order.site.certificate)
  # { common_name, dns_names, not_before, not_after, serial, issuer, subject, sha256_fingerprint }
}

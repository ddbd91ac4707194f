output "certificate" {
  # The waiter's certificate_pem is known once the certificate is issued; an order's certificate_pem is
  # empty until then, which cert_info refuses.
  value = provider::gogetssl::cert_info(gogetssl_ssl_order_validation.site.certificate_pem)
  # { common_name, dns_names, not_before, not_after, serial, issuer, subject, sha256_fingerprint }
}

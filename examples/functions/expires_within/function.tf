check "certificate_not_expiring" {
  assert {
    condition     = !provider::gogetssl::expires_within(gogetssl_ssl_order.site.valid_till, 21, plantimestamp())
    error_message = "The certificate of ${gogetssl_ssl_order.site.domain} expires within 21 days."
  }
}

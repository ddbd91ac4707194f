variable "order_id" {
  type = number
}

data "gogetssl_ssl_order" "site" {
  order_id = var.order_id
}

check "certificate_not_expiring" {
  assert {
    condition     = !provider::gogetssl::expires_within(data.gogetssl_ssl_order.site.valid_till, 21, plantimestamp())
    error_message = "The certificate of ${data.gogetssl_ssl_order.site.domain} expires within 21 days."
  }
}

data "gogetssl_ssl_order" "existing" {
  order_id = 1800001
}

output "valid_till" {
  value = data.gogetssl_ssl_order.existing.valid_till
}

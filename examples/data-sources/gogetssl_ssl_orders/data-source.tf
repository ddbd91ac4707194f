# Every active order for a name under example.com, whoever placed it.
data "gogetssl_ssl_orders" "example_com" {
  status = ["active"]
  domain = "*.example.com"
}

output "certificates" {
  value = { for o in data.gogetssl_ssl_orders.example_com.orders : o.order_id => "${o.domain} until ${o.valid_till}" }
}

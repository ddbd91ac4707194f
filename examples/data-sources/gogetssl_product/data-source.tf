data "gogetssl_product" "positive_ssl" {
  id = 65
}

output "periods" {
  value = data.gogetssl_product.positive_ssl.periods
}

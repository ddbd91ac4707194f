data "gogetssl_products" "wildcard_dv" {
  validation = "DV"
  wildcard   = true
}

output "wildcard_dv_ids" {
  value = [for p in data.gogetssl_products.wildcard_dv.products : p.id]
}

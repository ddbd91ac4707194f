locals {
  # Known at the first plan: the order does not exist yet.
  records = provider::gogetssl::dcv_records(file("${path.module}/site.csr"), var.unique_code, "dns")
}

resource "gogetssl_ssl_order" "site" {
  csr         = file("${path.module}/site.csr")
  unique_code = var.unique_code # the same value: the records are built from it
  dcv_method  = "dns"
  # ...
}

# Any DNS provider's record resource; here AWS Route 53.
resource "aws_route53_record" "dcv" {
  for_each = { for r in local.records : r.record_name => r... }
  zone_id  = var.zone_id
  name     = each.key
  type     = each.value[0].record_type
  records  = [each.value[0].record_value]
  ttl      = 300
}

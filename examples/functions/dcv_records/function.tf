locals {
  csr = provider::gogetssl::csr_info(file("${path.module}/site.csr"))
  # Known at the first plan: the order does not exist yet. One record per name of the CSR.
  records = provider::gogetssl::dcv_records(file("${path.module}/site.csr"), var.unique_code, "dns")
}

resource "gogetssl_ssl_order" "site" {
  csr             = file("${path.module}/site.csr")
  unique_code     = var.unique_code # the same value: the records are built from it
  dcv_method      = "dns"
  dns_names       = [for n in local.csr.dns_names : n if lower(n) != lower(local.csr.common_name)] # the CSR's other names
  approver_emails = [for n in local.csr.dns_names : "dns" if lower(n) != lower(local.csr.common_name)]
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

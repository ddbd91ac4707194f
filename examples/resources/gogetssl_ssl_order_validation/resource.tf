# Publish each DNS validation record, then wait until the certificate is issued.
resource "aws_route53_record" "dcv" {
  for_each = { for r in gogetssl_ssl_order.site.validation_records : r.domain => r }
  zone_id  = aws_route53_zone.main.zone_id
  name     = each.value.record_name
  type     = each.value.record_type
  records  = [each.value.record_value]
  ttl      = 300
}

resource "gogetssl_ssl_order_validation" "site" {
  order_id                = gogetssl_ssl_order.site.order_id
  validation_record_fqdns = [for r in aws_route53_record.dcv : r.fqdn]
  timeouts                = { create = "45m" }
}

output "certificate_pem" {
  value = gogetssl_ssl_order_validation.site.certificate_pem
}

# Publish each DNS validation record, then wait until the certificate is issued.
#
# Replacing without downtime, as with aws_acm_certificate_validation: with create_before_destroy on the order
# and on the waiter, a change that needs a new order (product, period, contacts) places the new order, waits
# for its certificate, and only then destroys (cancels) the old order.
resource "gogetssl_ssl_order" "site" {
  # ... the order's arguments (see gogetssl_ssl_order) ...

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "dcv" {
  for_each = { for r in gogetssl_ssl_order.site.validation_records : r.domain => r }
  zone_id  = aws_route53_zone.main.zone_id
  name     = each.value.record_name
  type     = each.value.record_type
  records  = [each.value.record_value]
  ttl      = 300
}

resource "gogetssl_ssl_order_validation" "site" {
  order_id                 = gogetssl_ssl_order.site.order_id
  csr                      = gogetssl_ssl_order.site.csr                      # a reissue (new CSR) makes it wait again
  certificate_requested_at = gogetssl_ssl_order.site.certificate_requested_at # and each reissue or renewal
  validation_record_fqdns  = [for r in aws_route53_record.dcv : r.fqdn]
  timeouts {
    create = "45m"
  }

  lifecycle {
    create_before_destroy = true
  }
}

output "certificate_pem" {
  value = gogetssl_ssl_order_validation.site.certificate_pem
}

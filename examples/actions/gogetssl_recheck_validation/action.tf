action "gogetssl_recheck_validation" "site" {
  config {
    order_id = gogetssl_ssl_order.site.order_id
  }
}

# The CA looks the moment the record exists (Terraform 1.14+).
resource "aws_route53_record" "dcv" {
  # ... the record from provider::gogetssl::dcv_records or the order's validation_records
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.gogetssl_recheck_validation.site]
    }
  }
}

# Or by hand: terraform apply -invoke=action.gogetssl_recheck_validation.site

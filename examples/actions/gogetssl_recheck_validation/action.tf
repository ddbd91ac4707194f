variable "order_id" {
  type        = number
  description = "The order, e.g. gogetssl_ssl_order.site.order_id."
}

action "gogetssl_recheck_validation" "site" {
  config {
    order_id = var.order_id
  }
}

# Stands for your DNS provider's record resource: the CA looks the moment the record exists (Terraform 1.14+).
resource "terraform_data" "dcv_record" {
  input = "_0123456789abcdef0123456789abcdef.example.com CNAME ..." # from dcv_records or validation_records
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.gogetssl_recheck_validation.site]
    }
  }
}

# Or by hand: terraform apply -invoke=action.gogetssl_recheck_validation.site

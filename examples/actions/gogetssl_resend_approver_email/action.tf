variable "order_id" {
  type        = number
  description = "The order, e.g. gogetssl_ssl_order.site.order_id."
}

action "gogetssl_resend_approver_email" "site" {
  config {
    order_id = var.order_id
    domain   = "www.example.com" # optional: every e-mail-validated domain when left out
  }
}

# terraform apply -invoke=action.gogetssl_resend_approver_email.site

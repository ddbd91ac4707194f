# Warn in every plan about the account's orders whose certificate ends soon (to be reissued, free, inside the
# subscription) or whose subscription ends soon (to be renewed, paid), including orders this configuration does
# not manage (ordered by hand or by another tool). Terraform 1.5+ (check blocks).
terraform {
  required_version = ">= 1.5"
  required_providers {
    gogetssl = { source = "gogetssl/gogetssl" }
  }
}

provider "gogetssl" {}

variable "warn_days" {
  type        = number
  default     = 30
  description = "Warn about certificates and subscriptions that end within this many days."
}

# Read at plan time, outside the check blocks: a data source scoped to a check block is read again at apply, so
# every plan would show a change and `terraform plan -detailed-exitcode` would never come back clean.
data "gogetssl_ssl_orders" "expiring" {
  expiring_within_days = var.warn_days
}

data "gogetssl_ssl_orders" "subscriptions_ending" {
  subscription_ending_within_days = var.warn_days
}

check "certificates_expiring" {
  assert {
    condition = length(data.gogetssl_ssl_orders.expiring.orders) == 0
    error_message = format("%d certificate(s) end within %d days and need a (free) reissue: %s",
      length(data.gogetssl_ssl_orders.expiring.orders), var.warn_days,
    join(", ", [for o in data.gogetssl_ssl_orders.expiring.orders : "${o.domain} (order ${o.order_id}, ${o.valid_till})"]))
  }
}

check "subscriptions_ending" {
  assert {
    condition = length(data.gogetssl_ssl_orders.subscriptions_ending.orders) == 0
    error_message = format("%d subscription(s) end within %d days and need a (paid) renewal: %s",
      length(data.gogetssl_ssl_orders.subscriptions_ending.orders), var.warn_days,
    join(", ", [for o in data.gogetssl_ssl_orders.subscriptions_ending.orders : "${o.domain} (order ${o.order_id}, ${o.end_date})"]))
  }
}

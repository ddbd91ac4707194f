# Adopt every open order of the account in one resource block, on Terraform 1.7 or newer (import blocks with
# for_each). See docs/guides/adopt.md; on Terraform 1.14+ `terraform query` (examples/list-resources) does this too.
terraform {
  required_version = ">= 1.7"
  required_providers {
    gogetssl = { source = "gogetssl/gogetssl" }
  }
}

provider "gogetssl" {}

# The orders to adopt: any filter of gogetssl_ssl_orders narrows them (status, domain, product_id, ...). A listing
# that cannot be read to its end fails the plan (an order missing from it would leave the set): do not set
# allow_incomplete here.
data "gogetssl_ssl_orders" "adopt" {
  status = ["active", "processing"]
}

# Each order's arguments as the vendor holds them, so that the configuration matches what is imported.
data "gogetssl_ssl_order" "adopt" {
  for_each = toset([for id in data.gogetssl_ssl_orders.adopt.ids : tostring(id)])
  order_id = each.key
}

import {
  for_each = data.gogetssl_ssl_order.adopt
  to       = gogetssl_ssl_order.adopted[each.key]
  id       = each.key
}

resource "gogetssl_ssl_order" "adopted" {
  for_each = data.gogetssl_ssl_order.adopt

  product_id         = each.value.product_id
  period             = each.value.period
  csr                = each.value.csr
  server_count       = each.value.server_count
  webserver_type     = each.value.webserver_type
  dcv_method         = each.value.dcv_method
  approver_email     = each.value.approver_email
  approver_emails    = each.value.approver_emails
  dns_names          = each.value.dns_names
  signature_hash     = each.value.signature_hash
  admin_firstname    = each.value.admin_firstname
  admin_lastname     = each.value.admin_lastname
  admin_phone        = each.value.admin_phone
  admin_title        = each.value.admin_title
  admin_email        = each.value.admin_email
  admin_organization = each.value.admin_organization
  admin_addressline1 = each.value.admin_addressline1
  admin_city         = each.value.admin_city
  admin_country      = each.value.admin_country
  admin_fax          = each.value.admin_fax
  admin_postalcode   = each.value.admin_postalcode
  admin_region       = each.value.admin_region
  tech_firstname     = each.value.tech_firstname
  tech_lastname      = each.value.tech_lastname
  tech_phone         = each.value.tech_phone
  tech_title         = each.value.tech_title
  tech_email         = each.value.tech_email
  tech_organization  = each.value.tech_organization
  tech_addressline1  = each.value.tech_addressline1
  tech_city          = each.value.tech_city
  tech_country       = each.value.tech_country
  tech_fax           = each.value.tech_fax
  tech_postalcode    = each.value.tech_postalcode
  tech_region        = each.value.tech_region
  org_name           = each.value.org_name
  org_division       = each.value.org_division
  org_duns           = each.value.org_duns
  org_addressline1   = each.value.org_addressline1
  org_city           = each.value.org_city
  org_country        = each.value.org_country
  org_fax            = each.value.org_fax
  org_phone          = each.value.org_phone
  org_postalcode     = each.value.org_postalcode
  org_region         = each.value.org_region

  # Adopting buys nothing and changes no certificate: every import starts with these two at 0, and keeping them
  # here keeps it so. Leaving them unset would plan renewal (an order within 30 days of the end of its subscription
  # is renewed by the next apply, a paid order) and automatic reissues: remove them only after reading that plan.
  renew_before_days   = 0
  reissue_before_days = 0
  # Before turning renewal on, freeze the set (a literal list of the adopted ids instead of the data source): a
  # renewal order would otherwise enter the set a second time, and the plan fails with "held by two" resources.
  # An adopted order is forgotten, not cancelled, if it leaves this set; change this once it is yours.
  on_destroy = "forget"
}

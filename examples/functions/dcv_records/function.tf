variable "unique_code" {
  type    = string
  default = "PlannedDcv000001" # 15-20 letters and digits of your own
}

locals {
  csr = provider::gogetssl::csr_info(file("${path.module}/site.csr"))
  # Known at the first plan: the order does not exist yet. One record per name of the CSR.
  records = provider::gogetssl::dcv_records(file("${path.module}/site.csr"), var.unique_code, "dns")
}

resource "gogetssl_ssl_order" "site" {
  product_id      = 67 # a Sectigo product: dcv_records does not apply to DigiCert-family CAs
  period          = 12
  csr             = file("${path.module}/site.csr")
  unique_code     = var.unique_code # the same value: the records are built from it
  dcv_method      = "dns"
  dns_names       = [for n in local.csr.dns_names : n if lower(n) != lower(local.csr.common_name)]
  approver_emails = [for n in local.csr.dns_names : "dns" if lower(n) != lower(local.csr.common_name)]
  server_count    = -1
  webserver_type  = 1

  admin_firstname = "Ada"
  admin_lastname  = "Lovelace"
  admin_phone     = "+44 20 7946 0000"
  admin_title     = "CTO"
  admin_email     = "ada@example.com"
  tech_firstname  = "Grace"
  tech_lastname   = "Hopper"
  tech_phone      = "+1 202 555 0100"
  tech_title      = "Ops lead"
  tech_email      = "ops@example.com"
}

# Stands for your DNS provider's record resource (aws_route53_record, cloudflare_dns_record, ...): one per
# record name (a wildcard and its apex share one), its values known at plan.
resource "terraform_data" "dcv" {
  for_each = { for r in local.records : r.record_name => r... }
  input    = "${each.key} ${each.value[0].record_type} ${each.value[0].record_value}"
}

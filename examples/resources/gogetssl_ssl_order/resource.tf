resource "gogetssl_ssl_order" "site" {
  product_id     = 65
  period         = 12
  csr            = file("site.csr")
  server_count   = -1
  webserver_type = 1
  dcv_method     = "dns"

  admin_firstname = "Ada"
  admin_lastname  = "Lovelace"
  admin_phone     = "+44 20 7946 0000"
  admin_title     = "CTO"
  admin_email     = "ada@example.com"

  tech_firstname = "Grace"
  tech_lastname  = "Hopper"
  tech_phone     = "+1 202 555 0100"
  tech_title     = "Ops lead"
  tech_email     = "ops@example.com"
}

# The DNS record to publish for domain control validation: "name CNAME value".
output "dcv_record" {
  value = gogetssl_ssl_order.site.approver_method.dns.record
}

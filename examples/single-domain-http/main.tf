# Single domain, HTTP file validation: order, publish the validation file, wait for the certificate.
# Offline: the "web server" is a directory the sandbox reads (gogetssl-sandbox --dcv-http-root DIR).
terraform {
  required_providers {
    gogetssl = {
      source = "gogetssl/gogetssl"
    }
  }
}

provider "gogetssl" {}

variable "dcv_http_root" {
  type        = string
  description = "Directory standing for the web servers' document roots: <dir>/<domain>/.well-known/pki-validation/"
}

resource "gogetssl_ssl_order" "site" {
  product_id     = 65 # Sectigo PositiveSSL (sandbox catalogue)
  period         = 12
  csr            = file("${path.module}/site.csr")
  server_count   = -1
  webserver_type = 1
  dcv_method     = "http"

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

# One validation file per domain. The keys (domains) are known at plan time, so this plans on
# the first apply.
resource "terraform_data" "dcv_file" {
  for_each = { for r in gogetssl_ssl_order.site.validation_records : r.domain => r }

  input = {
    path    = "${var.dcv_http_root}/${each.key}${each.value.file_path}"
    content = each.value.file_content
  }
  # A reissue brings a new file: replace this resource so that the provisioner publishes it again.
  triggers_replace = [each.value.file_path, each.value.file_content]

  provisioner "local-exec" {
    command = "mkdir -p \"$(dirname \"$FILE\")\" && printf '%s' \"$CONTENT\" > \"$FILE\""
    environment = {
      FILE    = self.input.path
      CONTENT = self.input.content
    }
  }
}

resource "gogetssl_ssl_order_validation" "site" {
  order_id                 = gogetssl_ssl_order.site.order_id
  csr                      = gogetssl_ssl_order.site.csr                      # a reissue (new CSR) makes it wait again
  certificate_requested_at = gogetssl_ssl_order.site.certificate_requested_at # and each reissue or renewal
  timeouts {
    create = "10m"
  }

  depends_on = [terraform_data.dcv_file]
}

output "certificate_pem" {
  value = gogetssl_ssl_order_validation.site.certificate_pem
}

output "ca_bundle_pem" {
  value = gogetssl_ssl_order_validation.site.ca_bundle_pem
}

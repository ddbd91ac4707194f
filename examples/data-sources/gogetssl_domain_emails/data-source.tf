data "gogetssl_domain_emails" "site" {
  domain = "example.com"
}

# e.g. approver_email = data.gogetssl_domain_emails.site.emails[0]

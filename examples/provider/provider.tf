terraform {
  required_providers {
    gogetssl = {
      source = "gogetssl/gogetssl"
    }
  }
}

# Credentials from the environment: GOGETSSL_USERNAME and GOGETSSL_PASSWORD
# (and GOGETSSL_API_URL to use a gogetssl-sandbox instead of the production API).
provider "gogetssl" {}

data "gogetssl_webservers" "sectigo" {
  brand = "sectigo"
}

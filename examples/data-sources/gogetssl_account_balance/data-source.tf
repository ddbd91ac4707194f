data "gogetssl_account_balance" "this" {}

output "balance" {
  value = "${data.gogetssl_account_balance.this.balance} ${data.gogetssl_account_balance.this.currency}"
}

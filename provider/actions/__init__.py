"""Actions (Terraform 1.14+): `action` blocks run by `terraform apply -invoke=action.TYPE.NAME` or by an
`action_trigger` in a resource's lifecycle. They ask the vendor to do something now and touch no state: what
changes state or money (reissue, renewal, cancellation) stays declarative, in gogetssl_ssl_order."""

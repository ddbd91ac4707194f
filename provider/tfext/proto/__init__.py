"""Protocol 6.10 messages the tf framework lacks: tfplugin6_10.proto and its generated module (`make proto`)."""

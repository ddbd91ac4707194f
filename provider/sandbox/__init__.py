"""GoGetSSL-compatible sandbox server. Stands for the vendor: never imports provider code."""

# Import an existing order by its GoGetSSL order id.
terraform import gogetssl_ssl_order.site 1800001

"""Developer and demo tools (a Terraform runner, the demo). Never imported by the plugin itself."""

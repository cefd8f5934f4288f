terraform {
  required_providers {
    vpce = { source = "vpce/vpce" }
  }
}

provider "vpce" {
  region = "us-east-1"

  # Tags on every endpoint (each resource's tags_all); a resource's own tags win.
  default_tags {
    tags = {
      Environment = "production"
      ManagedBy   = "terraform"
    }
  }

  # Tags other tools manage: never read, never removed, no diff.
  ignore_tags {
    keys         = ["CostCenter"]
    key_prefixes = ["kubernetes.io/"]
  }
}

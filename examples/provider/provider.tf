terraform {
  required_providers {
    vpce = { source = "vpce/vpce" }
  }
}

provider "vpce" {
  region = "us-east-1"
}

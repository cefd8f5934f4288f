//! The official terraform-provider-aws 3.39.0 beside ours, for the tests that move its state
//! into our resources (tests/moves.rs, tests/association.rs).

use std::path::PathBuf;
use std::process::Command;

use super::{provider_binary, repo, Tf, REGION};

/// The terraform-provider-aws 3.39.0 binary (scripts/aws-provider.sh fetches it when missing).
pub fn binary() -> PathBuf {
    let out = Command::new("bash").arg(repo().join("scripts/aws-provider.sh")).output().expect("run scripts/aws-provider.sh");
    assert!(out.status.success(), "scripts/aws-provider.sh failed: {}", String::from_utf8_lossy(&out.stderr));
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// A Terraform directory where both providers are dev overrides: ours and the AWS provider.
pub fn tf_with_both() -> Tf {
    let tf = Tf::new();
    let ours = provider_binary().parent().expect("binary dir").to_path_buf();
    let aws = binary().parent().expect("aws provider dir").to_path_buf();
    std::fs::write(
        tf.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"vpce/vpce\" = \"{}\"\n    \"hashicorp/aws\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            ours.display(),
            aws.display()
        ),
    )
    .expect("write cli config");
    tf
}

/// The `terraform` block and the provider blocks, ours and (`with_aws`) the AWS provider's, both
/// pointed at `ec2` (moto or the recording proxy).
pub fn provider_blocks(ec2: &str, with_aws: bool) -> String {
    let aws = if with_aws {
        format!(
            r#"
provider "aws" {{
  region                      = "{REGION}"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_get_ec2_platforms      = true
  endpoints {{
    ec2 = "{ec2}"
    sts = "{ec2}"
  }}
}}
"#
        )
    } else {
        String::new()
    };
    let required_aws = if with_aws { "\n    aws  = { source = \"hashicorp/aws\" }" } else { "" };
    format!(
        r#"terraform {{
  required_providers {{{required_aws}
    vpce = {{ source = "vpce/vpce" }}
  }}
}}

provider "vpce" {{
  region = "{REGION}"
  endpoints {{
    ec2 = "{ec2}"
  }}
}}
{aws}"#
    )
}

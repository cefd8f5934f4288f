//! What the crash-safe creation ([`aws::Ec2::create_endpoint`]) needs from Terraform: which
//! state creates (the marker's owner), the warning about orphans not adopted, and the creation
//! marker's removal once the endpoint is in a state.

use aws_sdk_ec2::types::VpcEndpoint;

use super::super::Ctx;
use crate::aws;
use crate::protocol::diagnostics::Diagnostics;

/// Which Terraform state this process works for, as the creation marker names it: a
/// fingerprint of the state's identity (backend and workspace, see
/// [`workdir::state_identity`](crate::protocol::workdir::state_identity)). Only a create for
/// the same state adopts what an interrupted create left.
pub(super) fn state_owner() -> String {
    aws::fingerprint(crate::protocol::workdir::state_identity())
}

/// A warning about orphans of interrupted creates that were not adopted (other settings).
pub(crate) fn warn_other_orphans(diags: &mut Diagnostics, others: &[String]) {
    if others.is_empty() {
        return;
    }
    diags.warning(
        "Endpoints left by an interrupted apply",
        format!(
            "{} of the same VPC, service and type {} created by an earlier apply of this Terraform state that was interrupted, with other settings than this one, and this state does not hold {}. They were not adopted: import them (terraform import) or delete them.",
            others.join(", "),
            if others.len() == 1 { "was" } else { "were" },
            if others.len() == 1 { "it" } else { "them" }
        ),
    );
}

/// The endpoint is in Terraform's state (it was read, updated or imported through it): remove
/// its creation marker so that no later create adopts it. Best effort: a failure (e.g. read-only
/// credentials during a plan) only leaves the marker for the next time. The removal runs in the
/// background (see [`aws::Ec2::clear_marker_in_background`]); the claim is made here, at once.
pub(crate) fn settle_marker(ctx: &Ctx, ep: &VpcEndpoint) {
    let Some(id) = ep.vpc_endpoint_id() else { return };
    ctx.ec2.claim(id);
    if aws::marker_of(ep).is_none() || ctx.ec2.writes_halted() {
        return;
    }
    ctx.ec2.clear_marker_in_background(id);
}

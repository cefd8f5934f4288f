//! Compiles the vendored protocol definitions in `proto/`:
//!
//! * `tfplugin6.proto`        – Terraform plugin protocol 6.10 (package `tfplugin6`)
//! * `grpc_controller.proto`  – go-plugin controller (package `plugin`)
//! * `grpc_stdio.proto`       – go-plugin stdio streaming (package `plugin`)
//! * `grpc_broker.proto`      – go-plugin broker (package `plugin`)
//!
//! The generated code is included with `tonic::include_proto!("tfplugin6")`
//! and `tonic::include_proto!("plugin")`.
//!
//! No system `protoc` is needed: unless `PROTOC` is already set, the binary
//! shipped by the `protoc-bin-vendored` crate is used, together with its
//! bundled well-known-type includes (`google/protobuf/*.proto`).
//!
//! Well-known types: `google.protobuf.Empty` maps to `()`, `google.protobuf.Timestamp` to
//! `prost_types::Timestamp`.

use std::{env, path::PathBuf};

const PROTO_DIR: &str = "proto";
const PROTOS: &[&str] = &["proto/tfplugin6.proto", "proto/grpc_controller.proto", "proto/grpc_stdio.proto", "proto/grpc_broker.proto"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={PROTO_DIR}");
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    println!("cargo:rerun-if-env-changed=PROTOC");

    // Use the vendored protoc unless the caller explicitly chose one.
    if env::var_os("PROTOC").is_none() {
        let protoc = protoc_bin_vendored::protoc_bin_path()?;
        env::set_var("PROTOC", protoc);
    }

    let mut includes: Vec<PathBuf> = vec![PathBuf::from(PROTO_DIR)];
    // Directory holding google/protobuf/{timestamp,empty}.proto.
    if let Ok(wkt) = protoc_bin_vendored::include_path() {
        includes.push(wkt);
    }

    let protos: Vec<PathBuf> = PROTOS.iter().map(PathBuf::from).collect();

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // We print our own rerun-if-changed lines above.
        .emit_rerun_if_changed(false)
        // proto3 `optional` fields: supported by protoc >= 3.15 without flags;
        // the flag is still accepted by newer versions and helps older ones.
        .protoc_arg("--experimental_allow_proto3_optional")
        .compile_protos(&protos, &includes)?;

    Ok(())
}

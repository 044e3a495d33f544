//! Compiles `proto/udaconnect/v1/*.proto` with protox (pure Rust, no system `protoc`),
//! generates the prost messages and tonic clients and servers, and writes the file
//! descriptor set (with imports and comments) for gRPC server reflection.

use std::{env, error::Error, fs, path::PathBuf};

use prost::Message;

const PROTOS: &[&str] = &[
    "udaconnect/v1/common.proto",
    "udaconnect/v1/persons.proto",
    "udaconnect/v1/location_ingest.proto",
    "udaconnect/v1/connections.proto",
    "udaconnect/v1/events.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let out = PathBuf::from(env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed={}", root.display());
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={}", root.join(proto).display());
    }

    let fds = protox::compile(PROTOS, [&root])?;
    fs::write(
        out.join("udaconnect_v1_descriptor.bin"),
        fds.encode_to_vec(),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    Ok(())
}

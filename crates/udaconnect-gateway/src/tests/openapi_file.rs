//! `docs/openapi.yaml` is generated from the code and committed; this test keeps it fresh.

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.yaml");

#[test]
fn committed_openapi_yaml_is_up_to_date() {
    let generated = crate::openapi_yaml();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).expect("write docs/openapi.yaml");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.yaml is stale (or missing): the API changed. Regenerate it with\n\n    \
         UPDATE_OPENAPI=1 cargo test -p udaconnect-gateway openapi\n\nand commit the result."
    );
}

#[test]
fn yaml_and_json_documents_agree() {
    let yaml = crate::openapi_yaml();
    assert!(
        yaml.starts_with("openapi: 3."),
        "{}",
        &yaml[..yaml.len().min(200)]
    );
    assert!(yaml.contains("title: UdaConnect"));
    let json = serde_json::to_value(crate::openapi()).unwrap();
    assert_eq!(json["info"]["title"], "UdaConnect");
}

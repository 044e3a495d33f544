//! The `list` and `describe` samples: what grpcurl learns through server reflection.

use prost_reflect::{DescriptorPool, FieldDescriptor, Kind};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
    server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
};

/// The services the server lists through reflection, sorted (as grpcurl prints them).
pub(crate) async fn reflected_services(url: &str) -> Vec<String> {
    let mut client = ServerReflectionClient::new(udaconnect_grpc::channel(url).expect("channel"));
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses.message().await.expect("answer").expect("one");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected reflection answer {response:?}");
    };
    let mut names: Vec<_> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    names
}

/// `list SERVICE` prints the service's methods as `package.Service.Method`, one a line.
pub(crate) fn methods_listed(pool: &DescriptorPool, service: &str) -> Vec<String> {
    let service = pool
        .get_service_by_name(service)
        .unwrap_or_else(|| panic!("no service {service}"));
    service
        .methods()
        .map(|m| format!("{}.{}", service.full_name(), m.name()))
        .collect()
}

/// Checks a `describe` sample: the symbol exists, and every declaration the output shows
/// (`rpc …` lines of a service, field lines of a message) matches the descriptors; a
/// service's output must show all its methods.
pub(crate) fn check_describe(
    pool: &DescriptorPool,
    symbol: &str,
    output: &str,
) -> Result<(), String> {
    let body: Vec<&str> = output
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && *l != "}")
        .collect();
    let header = body.first().ok_or("empty describe output")?;
    if let Some(service) = pool.get_service_by_name(symbol) {
        expect_eq(header, &format!("{symbol} is a service:"))?;
        expect_eq(body[1], &format!("service {} {{", service.name()))?;
        let want: Vec<String> = service
            .methods()
            .map(|m| {
                let stream = |s: bool| if s { "stream " } else { "" };
                format!(
                    "rpc {} ( {}.{} ) returns ( {}.{} );",
                    m.name(),
                    stream(m.is_client_streaming()),
                    m.input().full_name(),
                    stream(m.is_server_streaming()),
                    m.output().full_name()
                )
            })
            .collect();
        let shown: Vec<String> = body[2..].iter().map(|l| (*l).to_owned()).collect();
        return expect_eq(&format!("{shown:#?}"), &format!("{want:#?}"));
    }
    let message = pool
        .get_message_by_name(symbol)
        .ok_or_else(|| format!("no service or message {symbol}"))?;
    expect_eq(header, &format!("{symbol} is a message:"))?;
    expect_eq(body[1], &format!("message {} {{", message.name()))?;
    let want: Vec<String> = message.fields().map(|f| field_line(&f)).collect();
    let shown: Vec<String> = body[2..].iter().map(|l| (*l).to_owned()).collect();
    expect_eq(&format!("{shown:#?}"), &format!("{want:#?}"))
}

/// A field as protoprint declares it, e.g. `.google.protobuf.Timestamp creation_time = 4;`.
fn field_line(f: &FieldDescriptor) -> String {
    let label = if f.is_list() {
        "repeated "
    } else if f.field_descriptor_proto().proto3_optional() {
        "optional "
    } else {
        ""
    };
    let kind = match f.kind() {
        Kind::Message(m) => format!(".{}", m.full_name()),
        Kind::Enum(e) => format!(".{}", e.full_name()),
        Kind::Double => "double".into(),
        Kind::Int32 => "int32".into(),
        Kind::Int64 => "int64".into(),
        Kind::Uint64 => "uint64".into(),
        Kind::String => "string".into(),
        Kind::Bool => "bool".into(),
        other => format!("{other:?}").to_lowercase(),
    };
    format!("{label}{kind} {} = {};", f.name(), f.number())
}

fn expect_eq(shown: &str, want: &str) -> Result<(), String> {
    if shown == want {
        Ok(())
    } else {
        Err(format!(
            "the doc shows\n{shown}\nbut the descriptors say\n{want}"
        ))
    }
}

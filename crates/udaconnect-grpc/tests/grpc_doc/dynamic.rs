//! A dynamic gRPC client, as grpcurl is one: the request JSON is decoded into a
//! `DynamicMessage` of the method's input type (found by name in a descriptor pool), sent
//! with `tonic::client::Grpc`, and the answer is turned back into proto3 JSON.

use std::time::Duration;

use prost::Message;
use prost::bytes::Buf;
use prost_reflect::{
    DescriptorPool, DeserializeOptions, DynamicMessage, MessageDescriptor, MethodDescriptor,
    SerializeOptions,
};
use tonic::{
    Request, Status,
    client::Grpc,
    codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder},
    codegen::http::uri::PathAndQuery,
    transport::Channel,
};

/// The descriptors grpcurl finds through reflection: UdaConnect's and grpc.health.v1.
pub(crate) fn pool() -> DescriptorPool {
    let mut pool = DescriptorPool::decode(udaconnect_proto::FILE_DESCRIPTOR_SET)
        .expect("udaconnect descriptors");
    pool.decode_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .expect("health descriptors");
    pool
}

/// The method `package.Service/Method` names, or an error saying what does not exist.
pub(crate) fn method(pool: &DescriptorPool, name: &str) -> Result<MethodDescriptor, String> {
    let (service, method) = name.split_once('/').ok_or("no '/' in the method")?;
    let service = pool
        .get_service_by_name(service)
        .ok_or_else(|| format!("no service {service}"))?;
    service
        .methods()
        .find(|m| m.name() == method)
        .ok_or_else(|| format!("service {} has no method {method}", service.full_name()))
}

/// Decodes `body` (one JSON object, or several separated by whitespace as grpcurl reads
/// them) into messages of `input`, rejecting unknown fields and wrong types.
pub(crate) fn requests(
    input: &MessageDescriptor,
    body: &str,
) -> Result<Vec<DynamicMessage>, String> {
    let options = DeserializeOptions::new().deny_unknown_fields(true);
    serde_json::Deserializer::from_str(body)
        .into_iter::<serde_json::Value>()
        .map(|value| {
            let value = value.map_err(|e| format!("request JSON: {e}"))?;
            DynamicMessage::deserialize_with_options(input.clone(), value, &options)
                .map_err(|e| format!("request does not fit {}: {e}", input.full_name()))
        })
        .collect()
}

/// The proto3 JSON of `message` as grpcurl prints it: lowerCamelCase names, 64-bit
/// integers as strings, fields with default values left out. It goes through the printed
/// text and is parsed back as the doc's text is, so that a double compares as printed
/// (serde_json's parser may land one ulp away from the value it printed).
pub(crate) fn to_json(message: &DynamicMessage) -> serde_json::Value {
    let mut text = Vec::new();
    message
        .serialize_with_options(
            &mut serde_json::Serializer::new(&mut text),
            &SerializeOptions::new(),
        )
        .expect("response to JSON");
    serde_json::from_slice(&text).expect("printed JSON parses")
}

/// A channel whose calls carry a token, as grpcurl's `-H "authorization: Bearer …"` does.
pub(crate) type AuthedChannel =
    tonic::service::interceptor::InterceptedService<Channel, udaconnect_grpc::CallerToken>;

/// Calls `method` with `requests` (one for a unary method, any number for a client
/// stream); a server stream is [`call_server_streaming`]'s.
pub(crate) async fn call(
    channel: AuthedChannel,
    method: &MethodDescriptor,
    requests: Vec<DynamicMessage>,
) -> Result<DynamicMessage, Status> {
    let path = format!("/{}/{}", method.parent_service().full_name(), method.name());
    let path = PathAndQuery::try_from(path).expect("method path");
    let codec = DynamicCodec(method.output());
    let mut grpc = Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let response = match (method.is_client_streaming(), method.is_server_streaming()) {
        (false, false) => {
            let [request] = <[DynamicMessage; 1]>::try_from(requests)
                .map_err(|r| Status::invalid_argument(format!("{} requests", r.len())))?;
            grpc.unary(Request::new(request), path, codec).await?
        }
        (true, false) => {
            let stream = futures::stream::iter(requests);
            grpc.client_streaming(Request::new(stream), path, codec)
                .await?
        }
        _ => {
            return Err(Status::internal(format!(
                "{} streams its answer: use call_server_streaming",
                method.full_name()
            )));
        }
    };
    Ok(response.into_inner())
}

/// Calls the server-streaming `method` with `request` and collects what the stream delivers
/// within `max_time`, as `grpcurl -max-time` does: the messages, and how the stream ended —
/// `None` when the server closed it with OK, the status it failed with, or, at the
/// deadline, DEADLINE_EXCEEDED with grpcurl's message `context deadline exceeded`.
pub(crate) async fn call_server_streaming(
    channel: AuthedChannel,
    method: &MethodDescriptor,
    request: DynamicMessage,
    max_time: Duration,
) -> (Vec<DynamicMessage>, Option<Status>) {
    let deadline = tokio::time::Instant::now() + max_time;
    let expired = || Status::deadline_exceeded("context deadline exceeded");
    let path = format!("/{}/{}", method.parent_service().full_name(), method.name());
    let path = PathAndQuery::try_from(path).expect("method path");
    let mut grpc = Grpc::new(channel);
    let opened = tokio::time::timeout_at(deadline, async {
        grpc.ready()
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        let codec = DynamicCodec(method.output());
        grpc.server_streaming(Request::new(request), path, codec)
            .await
    })
    .await;
    let mut stream = match opened {
        Ok(Ok(response)) => response.into_inner(),
        Ok(Err(status)) => return (Vec::new(), Some(status)),
        Err(_) => return (Vec::new(), Some(expired())),
    };
    let mut messages = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, stream.message()).await {
            Ok(Ok(Some(message))) => messages.push(message),
            Ok(Ok(None)) => return (messages, None),
            Ok(Err(status)) => return (messages, Some(status)),
            Err(_) => return (messages, Some(expired())),
        }
    }
}

/// Encodes any `DynamicMessage`; decodes into the message type it was made for.
#[derive(Clone)]
struct DynamicCodec(MessageDescriptor);

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicCodec;
    type Decoder = DynamicCodec;

    fn encoder(&mut self) -> Self::Encoder {
        self.clone()
    }

    fn decoder(&mut self) -> Self::Decoder {
        self.clone()
    }
}

impl Encoder for DynamicCodec {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.reserve(item.encoded_len());
        item.encode(dst)
            .map_err(|e| Status::internal(format!("encode: {e}")))
    }
}

impl Decoder for DynamicCodec {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        DynamicMessage::decode(self.0.clone(), bytes)
            .map(Some)
            .map_err(|e| Status::internal(format!("decode: {e}")))
    }
}

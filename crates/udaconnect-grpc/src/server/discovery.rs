//! Server reflection and health: what lets `grpcurl` and orchestrators find their way
//! without the proto files.

use tonic::service::RoutesBuilder;
use tonic_health::{ServingStatus, server::HealthReporter};

use crate::GrpcError;

const HEALTH: &str = "grpc.health.v1.Health";
const REFLECTION_V1: &str = "grpc.reflection.v1.ServerReflection";
const REFLECTION_V1ALPHA: &str = "grpc.reflection.v1alpha.ServerReflection";

/// Adds reflection (v1 and v1alpha, advertising exactly the services mounted) and health
/// (each of `services` `SERVING`, as is the server as a whole, `""`).
pub(crate) async fn add(
    builder: &mut RoutesBuilder,
    services: &[&'static str],
) -> Result<HealthReporter, GrpcError> {
    let (health, health_server) = tonic_health::server::health_reporter();
    for name in services {
        health
            .set_service_status(*name, ServingStatus::Serving)
            .await;
    }
    builder.add_service(health_server);

    let advertised = services
        .iter()
        .copied()
        .chain([HEALTH, REFLECTION_V1, REFLECTION_V1ALPHA]);
    let reflection = || {
        advertised.clone().fold(
            tonic_reflection::server::Builder::configure()
                .register_encoded_file_descriptor_set(udaconnect_proto::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET)
                .register_encoded_file_descriptor_set(
                    tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
                ),
            |b, name| b.with_service_name(name),
        )
    };
    builder.add_service(reflection().build_v1()?);
    builder.add_service(reflection().build_v1alpha()?);
    Ok(health)
}

use async_trait::async_trait;
use tonic::{service::interceptor::InterceptedService, transport::Channel};
use udaconnect_domain::{NewPerson, Person, PersonId};
use udaconnect_proto::v1::{self, persons_client::PersonsClient as Stub};
use udaconnect_services::{PersonService, ServiceError};

use super::{CallerToken, MAX_RESPONSE_BYTES, malformed, unary};
use crate::status::from_status;

/// [`PersonService`] over gRPC (`udaconnect.v1.Persons`).
#[derive(Debug, Clone)]
pub struct GrpcPersons {
    stub: Stub<InterceptedService<Channel, CallerToken>>,
}

impl GrpcPersons {
    pub fn new(channel: Channel) -> Self {
        Self::with_token(channel, None)
    }

    /// Calls made outside a caller's scope (see [`udaconnect_auth::propagate`]) carry
    /// `token`.
    pub fn with_token(channel: Channel, token: Option<String>) -> Self {
        Self {
            stub: Stub::with_interceptor(channel, CallerToken::new(token))
                .max_decoding_message_size(MAX_RESPONSE_BYTES),
        }
    }
}

#[async_trait]
impl PersonService for GrpcPersons {
    async fn create(&self, person: NewPerson) -> Result<Person, ServiceError> {
        let request = unary(v1::CreatePersonRequest::from(&person));
        let response = self.stub.clone().create_person(request).await;
        let person = response.map_err(|s| from_status(s, None))?.into_inner();
        Person::try_from(person).map_err(malformed)
    }

    async fn get(&self, id: PersonId) -> Result<Person, ServiceError> {
        let request = unary(v1::GetPersonRequest {
            person_id: id.get(),
        });
        let response = self.stub.clone().get_person(request).await;
        let person = response
            .map_err(|s| from_status(s, Some(("person", id.get()))))?
            .into_inner();
        Person::try_from(person).map_err(malformed)
    }

    async fn delete(&self, id: PersonId) -> Result<(), ServiceError> {
        let request = unary(v1::DeletePersonRequest {
            person_id: id.get(),
        });
        let response = self.stub.clone().delete_person(request).await;
        response.map_err(|s| from_status(s, Some(("person", id.get()))))?;
        Ok(())
    }

    async fn list(&self) -> Result<Vec<Person>, ServiceError> {
        let request = unary(v1::ListPersonsRequest {});
        let response = self.stub.clone().list_persons(request).await;
        let persons = response.map_err(|s| from_status(s, None))?.into_inner();
        persons
            .persons
            .into_iter()
            .map(|p| Person::try_from(p).map_err(malformed))
            .collect()
    }
}

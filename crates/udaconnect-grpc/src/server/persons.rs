use tonic::{Request, Response, Status};
use udaconnect_domain::{NewPerson, PersonId};
use udaconnect_proto::v1::{self, persons_server::Persons};
use udaconnect_services::PersonsClient;

use super::auth::{caller, denied};
use crate::status::{invalid, to_status};

/// `udaconnect.v1.Persons` over a [`PersonsClient`].
#[derive(Debug, Clone)]
pub(crate) struct PersonsRpc(pub(crate) PersonsClient);

#[tonic::async_trait]
impl Persons for PersonsRpc {
    #[tracing::instrument(skip_all, name = "grpc.CreatePerson")]
    async fn create_person(
        &self,
        request: Request<v1::CreatePersonRequest>,
    ) -> Result<Response<v1::Person>, Status> {
        caller(&request)?.may_manage_persons().map_err(denied)?;
        let person = NewPerson::try_from(request.into_inner()).map_err(invalid)?;
        let person = self.0.create(person).await.map_err(to_status)?;
        Ok(Response::new(v1::Person::from(&person)))
    }

    #[tracing::instrument(skip_all, name = "grpc.GetPerson")]
    async fn get_person(
        &self,
        request: Request<v1::GetPersonRequest>,
    ) -> Result<Response<v1::Person>, Status> {
        let who = caller(&request)?;
        let id = PersonId::new(request.into_inner().person_id).map_err(invalid)?;
        who.may_read_person(id).map_err(denied)?;
        let person = self.0.get(id).await.map_err(to_status)?;
        Ok(Response::new(v1::Person::from(&person)))
    }

    #[tracing::instrument(skip_all, name = "grpc.DeletePerson")]
    async fn delete_person(
        &self,
        request: Request<v1::DeletePersonRequest>,
    ) -> Result<Response<v1::DeletePersonResponse>, Status> {
        let who = caller(&request)?;
        let id = PersonId::new(request.into_inner().person_id).map_err(invalid)?;
        // Organisers, or the attendee themself.
        who.may_delete_person(id).map_err(denied)?;
        self.0.delete(id).await.map_err(to_status)?;
        Ok(Response::new(v1::DeletePersonResponse {}))
    }

    #[tracing::instrument(skip_all, name = "grpc.ListPersons")]
    async fn list_persons(
        &self,
        request: Request<v1::ListPersonsRequest>,
    ) -> Result<Response<v1::ListPersonsResponse>, Status> {
        // Organisers: everyone; attendees and devices: their own person.
        let who = caller(&request)?;
        let persons = match (who.is_admin(), who.person_id) {
            (true, _) => self.0.list().await.map_err(to_status)?,
            (false, Some(own)) => vec![self.0.get(own).await.map_err(to_status)?],
            (false, None) => Vec::new(),
        };
        Ok(Response::new(v1::ListPersonsResponse {
            persons: persons.iter().map(v1::Person::from).collect(),
        }))
    }
}

use tonic::{Code, Status, metadata::MetadataValue};
use tonic_types::StatusExt;
use udaconnect_domain::ValidationError;
use udaconnect_services::ServiceError;

use super::*;

fn invalid_latitude() -> ServiceError {
    ValidationError::new("latitude", "must be a number between -90 and 90").into()
}

#[test]
fn invalid_carries_the_field_three_ways_and_comes_back() {
    let status = to_status(invalid_latitude());
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(
        status.message(),
        "latitude: must be a number between -90 and 90"
    );
    let details = status.get_error_details();
    assert_eq!(
        details.bad_request().unwrap().field_violations[0].field,
        "latitude"
    );
    assert_eq!(
        status.metadata().get(FIELD_METADATA_KEY).unwrap(),
        "latitude"
    );
    match from_status(status, None) {
        ServiceError::Invalid(v) => {
            assert_eq!(v.field, "latitude");
            assert_eq!(v.message, "must be a number between -90 and 90");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_field_is_recovered_without_details() {
    let mut with_metadata = Status::invalid_argument("end_date: must not be before start_date");
    with_metadata
        .metadata_mut()
        .insert(FIELD_METADATA_KEY, MetadataValue::from_static("end_date"));
    let from_message = Status::invalid_argument("start_date: must be a date");
    let bare = Status::invalid_argument("bad request body");
    let fields: Vec<_> = [with_metadata, from_message, bare]
        .into_iter()
        .map(|s| match from_status(s, None) {
            ServiceError::Invalid(v) => (v.field.into_owned(), v.message),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        fields[0],
        ("end_date".into(), "must not be before start_date".into())
    );
    assert_eq!(fields[1], ("start_date".into(), "must be a date".into()));
    assert_eq!(fields[2], ("request".into(), "bad request body".into()));
}

#[test]
fn kinds_map_to_codes_and_back() {
    let not_found = to_status(ServiceError::NotFound {
        entity: "person",
        id: 3,
    });
    assert_eq!(not_found.code(), Code::NotFound);
    let info = not_found
        .get_error_details()
        .resource_info()
        .cloned()
        .unwrap();
    assert_eq!(
        (info.resource_type.as_str(), info.resource_name.as_str()),
        ("person", "3")
    );
    assert!(matches!(
        from_status(not_found, Some(("person", 3))),
        ServiceError::NotFound {
            entity: "person",
            id: 3
        }
    ));

    let internal = to_status(ServiceError::Internal("db password is hunter2".into()));
    assert_eq!(internal.code(), Code::Internal);
    assert_eq!(internal.message(), "internal error");

    let unavailable = to_status(ServiceError::Unavailable("event log: closed".into()));
    assert_eq!(unavailable.code(), Code::Unavailable);
    for code in [
        Code::Unavailable,
        Code::DeadlineExceeded,
        Code::ResourceExhausted,
    ] {
        let e = from_status(Status::new(code, "x"), None);
        assert!(matches!(e, ServiceError::Unavailable(_)), "{code:?}: {e:?}");
    }
    for code in [Code::Internal, Code::Unimplemented] {
        let e = from_status(Status::new(code, "x"), None);
        assert!(matches!(e, ServiceError::Internal(_)), "{code:?}: {e:?}");
    }
}

#[test]
fn refusals_map_to_unauthenticated_and_permission_denied_and_back() {
    let s = to_status(ServiceError::Unauthenticated);
    assert_eq!(
        (s.code(), s.message()),
        (Code::Unauthenticated, "invalid credentials")
    );
    assert!(matches!(
        from_status(s, None),
        ServiceError::Unauthenticated
    ));
    let s = to_status(ServiceError::Forbidden("may not".into()));
    assert_eq!((s.code(), s.message()), (Code::PermissionDenied, "may not"));
    assert!(matches!(from_status(s, None), ServiceError::Forbidden(m) if m == "may not"));
}

#[test]
fn rejections_round_trip() {
    let r = rejection(7, invalid_latitude());
    assert_eq!((r.index, r.code, r.field.as_str()), (7, 3, "latitude"));
    assert!(matches!(from_rejection(&r), ServiceError::Invalid(v) if v.field == "latitude"));
    let r = rejection(8, ServiceError::Unavailable("event log: closed".into()));
    assert_eq!((r.code, r.field.as_str()), (14, ""));
    assert!(matches!(from_rejection(&r), ServiceError::Unavailable(_)));
}

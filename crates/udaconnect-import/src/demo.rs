//! The POC's sample data, converted once (swapped points fixed) into CSV fixtures that are
//! compiled into the binary: no file is read at run time.

use udaconnect_store::DynStore;

use crate::{ImportError, ImportOptions, ImportReport, pipeline::import, source::Origin};

const PERSONS_CSV: &str = include_str!("../fixtures/demo/persons.csv");
const LOCATIONS_CSV: &str = include_str!("../fixtures/demo/locations.csv");

/// Imports the demo data (the POC's 5 persons and their location fixes) into `store`.
/// Idempotent, like every import.
pub async fn import_demo_data(store: &DynStore) -> Result<ImportReport, ImportError> {
    let origins = vec![
        Origin::Embedded {
            name: "demo/persons.csv",
            text: PERSONS_CSV,
        },
        Origin::Embedded {
            name: "demo/locations.csv",
            text: LOCATIONS_CSV,
        },
    ];
    import(store, origins, &ImportOptions::quiet()).await
}

//! `udaconnect import` loads POC dumps and CSV files idempotently, fixes swapped
//! coordinates, reports bad rows by file, line and field, and what it loads is served.

mod common;

use std::{path::Path, process::Command};

use common::{BIN, Server, client, get_json};
use serde_json::Value;

/// Little-endian WKB of POINT(x y).
fn wkb(x: f64, y: f64) -> String {
    let mut b = vec![1u8, 1, 0, 0, 0];
    b.extend_from_slice(&x.to_le_bytes());
    b.extend_from_slice(&y.to_le_bytes());
    b.iter().map(|v| format!("{v:02X}")).collect()
}

fn write_fixtures(dir: &Path) {
    std::fs::write(
        dir.join("person.sql"),
        "insert into public.person (id, first_name, last_name, company_name) values (5, 'Taco', 'Fargo', 'Alpha Omega Upholstery');\n\
         insert into public.person (id, first_name, last_name, company_name) values (6, 'Frank', 'O''Shader', 'USDA');\n",
    )
    .unwrap();
    let mut sql = String::new();
    // (lon, lat) as the POC stores most rows...
    sql += &format!(
        "insert into public.location (id, person_id, coordinate, creation_time) values (30, 5, '{}', '2020-08-15 10:37:06.000000');\n",
        wkb(-122.290883, 37.55363)
    );
    // ...and two rows stored (lat, lon).
    for id in [42, 43] {
        sql += &format!(
            "insert into public.location (id, person_id, coordinate, creation_time) values ({id}, 6, '{}', '2020-07-07 10:37:06.000000');\n",
            wkb(35.058514, -106.571957)
        );
    }
    std::fs::write(dir.join("location.sql"), sql).unwrap();
    std::fs::write(
        dir.join("more.csv"),
        "id,person_id,latitude,longitude,creation_time\n\
         100,5,48.1,11.5,2020-08-15T10:00:00\n\
         101,6,95.0,11.5,2020-08-15T10:00:00\n\
         102,6,48.2,11.6,2020-08-15T11:00:00\n",
    )
    .unwrap();
}

fn import(data: &Path, files: &[&Path]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["import", "--data-dir"])
        .arg(data)
        .args(files)
        .env("UDACONNECT_LOG", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn imports_dumps_and_csv_idempotently_and_serves_them() {
    let dir = tempfile::tempdir().unwrap();
    write_fixtures(dir.path());
    let data = dir.path().join("data");
    // Locations first on the command line: persons must still be loaded first.
    let files = [
        dir.path().join("location.sql"),
        dir.path().join("more.csv"),
        dir.path().join("person.sql"),
    ];
    let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();

    let (ok, out) = import(&data, &files);
    assert!(
        !ok,
        "a rejected row makes the import fail after loading the rest:\n{out}"
    );
    assert!(
        out.contains("more.csv:3") && out.contains("latitude"),
        "{out}"
    );
    assert!(
        out.contains("imported 2 persons (0 already present) and 5 locations (0 already present)"),
        "{out}"
    );
    assert!(
        out.contains("fixed 2 swapped coordinates"),
        "reports the fixed rows:\n{out}"
    );

    // Idempotent: the same files again change nothing.
    let (_, again) = import(&data, &files);
    assert!(
        again
            .contains("imported 0 persons (2 already present) and 0 locations (5 already present)"),
        "{again}"
    );
    assert!(again.contains("more.csv:3"), "{again}");

    let server = Server::start(&data, &[]);
    let http = client();
    let persons: Vec<Value> = get_json(&http, server.url("/api/persons")).await;
    assert_eq!(
        persons.len(),
        2,
        "imported persons only: no demo data over an imported store"
    );
    assert_eq!(persons[1]["last_name"], "O'Shader");
    let fixed: Value = get_json(&http, server.url("/api/locations/43")).await;
    assert_eq!(fixed["latitude"], "35.058514");
    assert_eq!(fixed["longitude"], "-106.571957");
    for (id, status) in [(30, 200), (42, 200), (100, 200), (101, 404), (102, 200)] {
        let r = http
            .get(server.url(&format!("/api/locations/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "location {id}");
    }
    // A fix accepted after the import gets a fresh id, above every imported one.
    let r = http
        .post(server.url("/api/locations"))
        .json(&serde_json::json!({"person_id": 5, "latitude": "1", "longitude": "2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert!(id > 102, "{id}");
}

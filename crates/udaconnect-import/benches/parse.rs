//! Parse throughput (rows/s) of each input format, on generated data, into a sink that only
//! counts: `cargo bench -p udaconnect-import --bench parse`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use udaconnect_domain::{Location, Person};
use udaconnect_import::{RowError, RowSink, parse_csv, parse_dump};

const ROWS: usize = 100_000;

#[derive(Default)]
struct Count(usize);

impl RowSink for Count {
    fn person(&mut self, p: Person, _line: u64) {
        black_box(p);
        self.0 += 1;
    }
    fn location(&mut self, l: Location, _line: u64) {
        black_box(l);
        self.0 += 1;
    }
    fn rejected(&mut self, e: RowError) {
        panic!("generated data rejected: {e}");
    }
}

/// Row `i`: (id, person id, hex EWKB of (lon, lat), lat, lon, time); every 7th swapped.
fn row(i: usize) -> (usize, usize, String, f64, f64, String) {
    let lat = 35.0 + (i % 1000) as f64 * 1e-4;
    let lon = -106.5 - (i % 997) as f64 * 1e-4;
    let (x, y) = if i.is_multiple_of(7) {
        (lat, lon)
    } else {
        (lon, lat)
    };
    let mut wkb = vec![1u8, 1, 0, 0, 0];
    wkb.extend(x.to_le_bytes());
    wkb.extend(y.to_le_bytes());
    let hex: String = wkb.iter().map(|b| format!("{b:02X}")).collect();
    let time = format!(
        "2020-08-{:02} {:02}:{:02}:06.000000",
        1 + i % 28,
        i % 24,
        i % 60
    );
    (i + 1, 1 + i % 50, hex, lat, lon, time)
}

fn poc_inserts() -> String {
    (0..ROWS)
        .map(|i| {
            let (id, pid, hex, _, _, t) = row(i);
            format!("insert into public.location (id, person_id, coordinate, creation_time) values ({id}, {pid}, '{hex}', '{t}');\n")
        })
        .collect()
}

fn multi_row_insert() -> String {
    let mut s = String::from(
        "INSERT INTO public.location (id, person_id, coordinate, creation_time) VALUES\n",
    );
    for i in 0..ROWS {
        let (id, pid, hex, _, _, t) = row(i);
        let sep = if i + 1 == ROWS { ";" } else { "," };
        s.push_str(&format!("({id}, {pid}, '{hex}', '{t}'){sep}\n"));
    }
    s
}

fn copy_block() -> String {
    let mut s = String::from(
        "COPY public.location (id, person_id, coordinate, creation_time) FROM stdin;\n",
    );
    for i in 0..ROWS {
        let (id, pid, hex, _, _, t) = row(i);
        s.push_str(&format!("{id}\t{pid}\t{hex}\t{t}\n"));
    }
    s.push_str("\\.\n");
    s
}

fn csv() -> String {
    let mut s = String::from("id,person_id,latitude,longitude,creation_time\n");
    for i in 0..ROWS {
        let (id, pid, _, lat, lon, t) = row(i);
        s.push_str(&format!("{id},{pid},{lat},{lon},{}\n", t.replace(' ', "T")));
    }
    s
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(ROWS as u64))
        .sample_size(10);
    for (name, text) in [
        ("sql_poc_inserts", poc_inserts()),
        ("sql_multi_row_insert", multi_row_insert()),
        ("sql_copy", copy_block()),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = Count::default();
                parse_dump(text.as_bytes(), name, &mut sink).expect("parse");
                assert_eq!(sink.0, ROWS);
            });
        });
    }
    let text = csv();
    g.bench_function("csv", |b| {
        b.iter(|| {
            let mut sink = Count::default();
            parse_csv(text.as_bytes(), "csv", &mut sink).expect("parse");
            assert_eq!(sink.0, ROWS);
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Rendering a receipt: `cargo run --release -p motcua-forms --example render_bench [N]`.
//! Prints the first render (fonts parsed, templates compiled) and the median, p90 and p99
//! of the next N (default 300), with the share of it spent serialising the data (the
//! baseline measured in the same run, so the machine's noise shows in both).

use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let pack = motcua_forms::pack_for("nd118-2025", chrono::NaiveDate::MAX);
    let data = motcua_forms::sample::birth_registration();
    let t = Instant::now();
    let pdf = motcua_forms::render(pack, "receipt", &data).expect("render");
    let first = t.elapsed();
    let mut times = Vec::with_capacity(n);
    let mut base = Vec::with_capacity(n);
    for i in 0..n {
        // A different applicant each time, so nothing is served whole from typst's memo.
        let mut d = data.clone();
        d.applicant.name = format!("Nguyễn Văn Thử {i}");
        let t = Instant::now();
        let json = serde_json::to_vec(&d).expect("json");
        base.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(json);
        let t = Instant::now();
        let out = motcua_forms::render(pack, "receipt", &d).expect("render");
        times.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(out);
    }
    times.sort_by(f64::total_cmp);
    base.sort_by(f64::total_cmp);
    let q = |v: &[f64], p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    println!("receipt PDF: {} bytes", pdf.len());
    println!("first render: {:.1} ms", first.as_secs_f64() * 1e3);
    println!(
        "next {n}: median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        q(&times, 0.5),
        q(&times, 0.9),
        q(&times, 0.99),
        times[n - 1]
    );
    println!(
        "baseline (the data to JSON): median {:.3} ms, p99 {:.3} ms",
        q(&base, 0.5),
        q(&base, 0.99)
    );
}

fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let opts = drydock::yaml::LoadOptions {
        dialect: drydock::yaml::resolve::Dialect::Kustomize,
        ..Default::default()
    };
    let p = drydock::yaml::parse(drydock::source::FileId(0), &text, &opts);
    for d in &p.diagnostics {
        eprintln!("diag: {}", d.message);
    }
    let out = drydock::render::emit::emit_stream(p.docs.iter().map(|d| &d.value)).unwrap();
    print!("{out}");
}

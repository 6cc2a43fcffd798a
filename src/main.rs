fn main() -> std::process::ExitCode {
    drydock::cli::main()
}

// Loading allocates many small values; mimalloc is markedly faster at that
// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

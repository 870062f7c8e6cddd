fn main() -> std::process::ExitCode {
    sunledger::cli::main()
}

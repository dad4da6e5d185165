/// The memscan release version, printed by `memscan --version`.
public let memscanVersion = "0.1.0"

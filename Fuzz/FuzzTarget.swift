// libFuzzer's entry point. One binary holds both targets, which share every source file but their
// own (a second build would double scripts/fuzz's build time); TOLLGATE_FUZZ_TARGET picks one:
// `scanner` (the default: ScannerFuzz.swift, an input is one message) or `stream`
// (StreamFuzz.swift, an input is a byte stream).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether this run fuzzes streams (read once, before the first input).
private let fuzzesStreams: Bool = getenv("TOLLGATE_FUZZ_TARGET").map { strcmp($0, "stream") == 0 } ?? false

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    if fuzzesStreams { fuzzStream(input) } else { fuzzScanner(input) }
    return 0
}

import Testing
import CMemscanShims
@testable import MemscanCore

@Test func xxh3IsDeterministic() {
    let bytes: [UInt8] = Array("DIAGNOSIS//0030".utf8)
    let a = bytes.withUnsafeBytes { ms_xxh3($0.baseAddress, $0.count, 0) }
    let b = bytes.withUnsafeBytes { ms_xxh3($0.baseAddress, $0.count, 0) }
    #expect(a == b)
    #expect(a != 0)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable byte buffer for the generator's JSON output: raw pointer writes, no String per
/// token, no Foundation. One per chunk task; handed to the writer thread when the chunk is done.
final class SynthBytes {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    func removeAll() { count = 0 }

    /// Drops everything after `length` bytes.
    func truncate(to length: Int) { count = min(count, length) }

    @inline(__always)
    func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    /// Appends `n` bytes; the caller has not reserved room.
    @inline(__always)
    func append(_ bytes: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (base + count).update(from: bytes, count: n)
        count += n
    }

    /// Appends `n` bytes into room already reserved.
    @inline(__always)
    func appendUnchecked(_ bytes: UnsafePointer<UInt8>, _ n: Int) {
        (base + count).update(from: bytes, count: n)
        count += n
    }

    @inline(__always)
    func byteUnchecked(_ b: UInt8) {
        base[count] = b
        count += 1
    }

    /// ASCII text that needs no JSON escaping (keys, punctuation).
    func ascii(_ text: StaticString) {
        append(text.utf8Start, text.utf8CodeUnitCount)
    }

    func append(_ other: SynthBytes) {
        append(other.base, other.count)
    }

    /// A non-negative or negative integer in decimal.
    func decimal(_ value: Int) {
        if value < 0 {
            byte(UInt8(ascii: "-"))
            decimal(width: 1, UInt64(-value))
        } else {
            decimal(width: 1, UInt64(value))
        }
    }

    /// An unsigned integer, zero-padded to at least `width` digits.
    func decimal(width: Int, _ value: UInt64) {
        reserve(24)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        var n = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = value
            repeat {
                scratch[23 - n] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            while n < width && n < 24 {
                scratch[23 - n] = 48
                n += 1
            }
            (base + count).update(from: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + 24 - n, count: n)
        }
        count += n
    }

    /// A JSON string literal with escaping.
    func jsonString(_ text: String) {
        var text = text
        byte(UInt8(ascii: "\""))
        text.withUTF8 { utf8 in
            reserve(utf8.count * 6)
            for b in utf8 {
                switch b {
                case UInt8(ascii: "\""): byteUnchecked(0x5C); byteUnchecked(0x22)
                case UInt8(ascii: "\\"): byteUnchecked(0x5C); byteUnchecked(0x5C)
                case 0x0A: byteUnchecked(0x5C); byteUnchecked(UInt8(ascii: "n"))
                case 0x0D: byteUnchecked(0x5C); byteUnchecked(UInt8(ascii: "r"))
                case 0x09: byteUnchecked(0x5C); byteUnchecked(UInt8(ascii: "t"))
                case 0 ..< 0x20:
                    let hex: StaticString = "0123456789abcdef"
                    byteUnchecked(0x5C); byteUnchecked(UInt8(ascii: "u")); byteUnchecked(0x30); byteUnchecked(0x30)
                    byteUnchecked(hex.utf8Start[Int(b >> 4)]); byteUnchecked(hex.utf8Start[Int(b & 15)])
                default: byteUnchecked(b)
                }
            }
        }
        byte(UInt8(ascii: "\""))
    }

    /// A double as Swift's shortest round-trip form (so a reader recovers the exact value).
    func double(_ value: Double) {
        if value == value.rounded(), abs(value) < 1e15 {
            decimal(Int(value))
        } else {
            var text = "\(value)"
            text.withUTF8 { append($0.baseAddress!, $0.count) }
        }
    }

    func string() -> String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }
}

/// A file written sequentially with write(2); created 0644 (synthetic data, nothing private).
final class SynthFile {
    let path: String
    private var descriptor: Int32
    private(set) var bytesWritten = 0

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw MemscanError.io(path: path, "cannot create: \(errnoText())") }
    }

    deinit { if descriptor >= 0 { _ = closeDescriptor(descriptor) } }

    func write(_ bytes: UnsafePointer<UInt8>, _ n: Int) throws {
        var done = 0
        while done < n {
            #if canImport(Glibc)
            let written = Glibc.write(descriptor, bytes + done, n - done)
            #else
            let written = Darwin.write(descriptor, bytes + done, n - done)
            #endif
            if written < 0 {
                if errno == EINTR { continue }
                throw MemscanError.io(path: path, "write failed: \(errnoText())")
            }
            done += written
        }
        bytesWritten += n
    }

    func write(_ buffer: SynthBytes) throws { try write(buffer.base, buffer.count) }

    func finish() throws {
        guard descriptor >= 0 else { return }
        let result = closeDescriptor(descriptor)
        descriptor = -1
        if result != 0 { throw MemscanError.io(path: path, "close failed: \(errnoText())") }
    }
}

private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

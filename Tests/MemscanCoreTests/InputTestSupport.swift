import CMemscanShims
import Foundation
import Testing
@testable import MemscanCore

/// Temporary files and helpers for the input reader tests.
enum InputFixtures {
    /// A fresh directory in the tests' scratch folder.
    static func makeDirectory() -> URL { TestScratch.directory("input") }

    @discardableResult
    static func write(_ text: String, name: String, in directory: URL? = nil) -> String {
        write(bytes: Array(text.utf8), name: name, in: directory)
    }

    @discardableResult
    static func write(bytes: [UInt8], name: String, in directory: URL? = nil) -> String {
        let url = (directory ?? makeDirectory()).appendingPathComponent(name)
        try! Data(bytes).write(to: url)
        return url.path
    }

    static func options(_ configure: (inout InputOptions) -> Void = { _ in }) -> InputOptions {
        var options = InputOptions()
        configure(&options)
        return options
    }

    static func readAll(_ paths: [String], _ options: InputOptions = InputOptions()) throws -> [InputRecord] {
        let reader = try RecordReader(paths: paths, options: options)
        var records: [InputRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    /// Reads everything and returns the input error thrown, or nil (recording an issue
    /// when nothing or something else was thrown).
    static func inputError(_ paths: [String], _ options: InputOptions = InputOptions(),
                           sourceLocation: Testing.SourceLocation = #_sourceLocation) -> (location: MemscanCore.SourceLocation, message: String)? {
        do {
            let records = try readAll(paths, options)
            Issue.record("expected an input error, read \(records.count) records", sourceLocation: sourceLocation)
        } catch MemscanError.input(let location, let message) {
            return (location, message)
        } catch {
            Issue.record("expected an input error, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    static func tokens(_ record: InputRecord) -> [String]? {
        if case .tokens(let list) = record.content { return list.strings }
        return nil
    }

    static func text(_ record: InputRecord) -> String? {
        if case .string(let text) = record.content { return text }
        return nil
    }

    /// gzip in memory through zlib (windowBits 15 + 16 selects the gzip wrapper).
    static func gzip(_ input: [UInt8]) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            deflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        let rc = deflateInit2_(stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(input.count))) + 64)
        var source = input
        let produced = source.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                stream.pointee.next_in = src.baseAddress
                stream.pointee.avail_in = UInt32(src.count)
                stream.pointee.next_out = dst.baseAddress
                stream.pointee.avail_out = UInt32(dst.count)
                let result = deflate(stream, Z_FINISH)
                precondition(result == Z_STREAM_END)
                return dst.count - Int(stream.pointee.avail_out)
            }
        }
        return Array(output[0 ..< produced])
    }

    /// One zstd frame (with checksum) through the shim.
    static func zstd(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ms_zstd_bound(input.count))
        let produced = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                ms_zstd_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, 3, nil)
            }
        }
        precondition(produced > 0)
        return Array(output[0 ..< produced])
    }
}

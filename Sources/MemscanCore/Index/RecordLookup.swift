/// The record whose token range holds `position`, given each record's first token
/// position (ascending, one extra entry at the end). Shared by the builder (arrays in
/// memory) and the mapped index.
@inline(__always)
func recordContaining<Starts: RandomAccessCollection>(_ position: UInt64, starts: Starts) -> Int
where Starts.Element == UInt64, Starts.Index == Int {
    var low = 0, high = starts.count - 1  // invariant: starts[low] <= position < starts[high]
    while high - low > 1 {
        let mid = (low + high) >> 1
        if starts[mid] <= position { low = mid } else { high = mid }
    }
    return low
}

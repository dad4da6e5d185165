extension RandomAccessCollection where Index == Int, Element: BinaryInteger {
    /// The first index whose element is not below `value`, in a collection sorted
    /// ascending (`endIndex` when there is none).
    @inline(__always)
    func firstIndex(notBelow value: Int64) -> Int {
        var low = startIndex, high = endIndex
        while low < high {
            let mid = (low + high) >> 1
            if Int64(self[mid]) < value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

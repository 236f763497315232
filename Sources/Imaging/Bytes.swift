/// Runs `body` over the bytes of any byte collection ([UInt8], ArraySlice,
/// Foundation's Data, a NIO ByteBuffer's readableBytesView), without copying
/// when the collection is contiguous.
func withContiguousBytes<R>(
    of data: some Collection<UInt8>,
    _ body: (UnsafeRawBufferPointer) throws(ImagingError) -> R
) throws(ImagingError) -> R {
    let direct = data.withContiguousStorageIfAvailable { buffer in
        Result { () throws(ImagingError) -> R in try body(UnsafeRawBufferPointer(buffer)) }
    }
    if let direct { return try direct.get() }
    let copy = [UInt8](data)
    return try copy.withUnsafeBytes { raw in
        Result { () throws(ImagingError) -> R in try body(raw) }
    }.get()
}

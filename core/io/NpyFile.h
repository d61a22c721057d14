#pragma once

#include "io/ArrayData.h"

#include <cstdint>
#include <memory>
#include <string>

namespace featurescope {

class MappedFile;

struct NpyReadOptions {
    bool u2IsBf16 = false; // read '<u2' as bfloat16 (featurescope's convention for bf16 in .npy)
    // Read fixed-width unicode strings ('<Uk': k UTF-32LE code units per element, NUL-padded, as np.array(list of
    // str) saves them) as U32 arrays with one more, last dimension of k code units. Off by default so a plain reader
    // never mistakes text for numbers; NpyHeader::unicodeChars tells the two apart.
    bool unicodeAsU32 = false;
    static constexpr std::uint64_t kMaxUnicodeChars = 1u << 16; // per element
};

// NumPy's .npy format: "\x93NUMPY", version (1.0: u16 header length; 2.0 and 3.0: u32), a Python-dict header
// {'descr': '<f4', 'fortran_order': False, 'shape': (N, d), } padded to a multiple of 64 bytes, then the raw data.
// Supported descrs: |b1 |u1 |i1 <i2 <u2 <i4 <u4 <i8 <u8 <f2 <f4 <f8 (and '=' for little-endian). NumPy has no
// bfloat16: by convention featurescope writes BF16 arrays as '<u2', and reads '<u2' as BF16 only when asked
// (Options::u2IsBf16), since a '<u2' file may just as well hold real 16-bit integers.
//
// Reading treats the file as hostile: the header is bounded (kMaxHeaderBytes) and by the file size, parsed by a
// strict little parser (no eval), shapes are overflow-checked and the data must be exactly product(shape) x item
// size bytes. Files are memory-mapped (MappedFile), so a large array is not read until converted. Problems throw
// InputError with one line naming the file and the problem.
struct NpyHeader {
    DType dtype = DType::F32;
    std::string descr;
    ArrayData::Shape shape;
    bool fortranOrder = false;
    std::uint64_t dataOffset = 0; // where the data starts
    std::uint64_t dataBytes = 0;  // product(shape) x item size (overflow-checked)
    std::uint64_t unicodeChars = 0; // k of a '<Uk' string array read as U32 (then shape ends with k), else 0
};

class NpyFile {
public:
    static constexpr std::uint64_t kMaxHeaderBytes = 1u << 20;
    static constexpr std::size_t kMaxRank = 64;

    using Options = NpyReadOptions;

    static ArrayData read(const std::string& path, Options options = {});
    // Parses and checks the preamble and header only; `size` may be just the first bytes of the file (a header cut
    // off throws "truncated"). `name` appears in messages.
    static NpyHeader parseHeader(const std::uint8_t* data, std::uint64_t size, const std::string& name,
                                 Options options = {});
    // Parses a whole .npy image (a file or an npz member); the array is a view that keeps `file` alive.
    static ArrayData parse(std::shared_ptr<const MappedFile> file, Options options = {});
    static ArrayData fromBuffer(const std::string& name, const std::uint8_t* data, std::size_t size,
                                Options options = {});

    // Writes version 1.0 (2.0 when the header needs it), in the array's order; atomic. BF16 is written as '<u2'.
    static void write(const std::string& path, const ArrayData& array);
    static std::string serialize(const ArrayData& array);
    // The header dict as NumPy writes it (without preamble and padding).
    static std::string headerDict(const ArrayData& array);
};

} // namespace featurescope

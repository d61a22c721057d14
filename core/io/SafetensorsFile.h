#pragma once

#include "io/ArrayData.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace featurescope {

class MappedFile;

// A safetensors file (the Hugging Face format SAELens and PyTorch use): a u64 little-endian header length N, N bytes
// of UTF-8 JSON {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the data
// buffer (offsets relative to its start, row-major, little-endian).
//
// Reading treats the file as hostile: N is bounded (kMaxHeaderBytes) and by the file size, the JSON must be valid
// UTF-8 with no duplicate names, every shape product and byte size is overflow-checked, every tensor's offsets must
// lie inside the data buffer, match product(shape) x dtype size exactly and not overlap another tensor's. Nothing
// is allocated from a header's claims: the file is memory-mapped and tensors are views into it. Every problem throws
// InputError with one line naming the file and the problem. Gaps between tensors and trailing bytes are tolerated.
class SafetensorsFile {
public:
    static constexpr std::uint64_t kMaxHeaderBytes = 100'000'000; // 100 MB
    static constexpr std::size_t kMaxRank = 64;

    struct TensorInfo {
        std::string name;
        DType dtype = DType::F32;
        ArrayData::Shape shape;
        std::uint64_t begin = 0; // offsets in the data buffer
        std::uint64_t end = 0;
    };
    struct NamedArray {
        std::string name;
        ArrayData array;
    };
    using Metadata = std::map<std::string, std::string>;

    static SafetensorsFile open(const std::string& path); // throws InputError
    // Parses bytes in memory (`name` appears in messages); used by the fuzzer and by tests.
    static SafetensorsFile fromBuffer(const std::string& name, const std::uint8_t* data, std::size_t size);
    // Parses a file already mapped or read; the tensors are views that keep it alive.
    static SafetensorsFile parse(std::shared_ptr<const MappedFile> file);

    const std::string& path() const { return m_path; }
    // Tensors ordered by their offsets in the file.
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }
    std::vector<std::string> names() const;
    const Metadata& metadata() const { return m_metadata; }
    const TensorInfo* find(const std::string& name) const;
    bool contains(const std::string& name) const { return find(name) != nullptr; }
    // A view of the tensor's bytes (throws InputError naming the file and the tensors it holds when absent).
    ArrayData tensor(const std::string& name) const;

    // Writes tensors (C order; Fortran-order arrays are converted) and metadata; the header is padded with spaces
    // to a multiple of 8 bytes. Atomic (temporary file + rename). Throws InputError on a duplicate or empty name
    // or a write error.
    static void write(const std::string& path, const std::vector<NamedArray>& tensors, const Metadata& metadata = {});
    // The same bytes, in memory.
    static std::string serialize(const std::vector<NamedArray>& tensors, const Metadata& metadata = {});

private:
    std::string m_path;
    std::shared_ptr<const MappedFile> m_file;
    std::uint64_t m_dataStart = 0;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, std::size_t> m_index;
    Metadata m_metadata;
};

} // namespace featurescope

#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

// An IDX array (the MNIST family's format) of unsigned bytes: big-endian magic 0x0000TTNN (TT element type,
// NN number of dimensions), NN big-endian u32 dimensions, then the data, row-major.
struct IdxArray {
    std::vector<std::uint32_t> dims;
    std::vector<std::uint8_t> data;
};

// Images (magic 0x00000803: count x rows x cols) and labels (0x00000801: count).
struct IdxImages {
    int count = 0;
    int rows = 0;
    int cols = 0;
    std::vector<std::uint8_t> pixels; // count * rows * cols, row-major per image
};

// Reads IDX files, gzipped or not. Input is hostile: the header's claims are checked against the real file size
// (and deflate's maximum expansion) before anything is allocated, the payload buffer grows only as data actually
// arrives, dimension products are overflow-checked, and short or over-long files are rejected. The payload must also
// fit the MemoryBudget and, when gzipped, a plausible expansion (kMaxPlausibleExpansion). Every problem throws
// InputError naming the file and the problem.
class IdxReader {
public:
    static constexpr std::uint64_t kMaxPayloadBytes = 4ull << 30; // 4 GiB
    // Real image and label data compresses a few times at most; a gzip file that would expand more than this
    // (beyond kPlausibleFreeBytes) is refused as a decompression bomb before anything is inflated.
    static constexpr std::uint64_t kMaxPlausibleExpansion = 100;
    static constexpr std::uint64_t kPlausibleFreeBytes = 64u << 20;

    // The dimensions only (reads just the header).
    static std::vector<std::uint32_t> readDims(const std::string& path);

    static IdxArray read(const std::string& path);
    static IdxImages readImages(const std::string& path);
    static std::vector<std::uint8_t> readLabels(const std::string& path);
};

} // namespace featurescope

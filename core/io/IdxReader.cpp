#include "io/IdxReader.h"

#include "common/InputError.h"
#include "common/MemoryBudget.h"
#include "io/GzipFile.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace featurescope {

namespace {
std::string hex32(std::uint32_t value)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", value);
    return text;
}
std::uint32_t bigEndian32(const unsigned char* b)
{
    return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | std::uint32_t(b[3]);
}

// Reads and checks the magic and dimensions; returns the payload size they declare.
std::uint64_t readHeader(GzipFile& file, IdxArray& array)
{
    const std::string& path = file.path();
    unsigned char header[4];
    if (file.read(header, 4) != 4)
        throw InputError(path + ": not an IDX file (shorter than the 4-byte magic number)");
    const std::uint32_t magic = bigEndian32(header);
    if (header[0] != 0 || header[1] != 0)
        throw InputError(path + ": not an IDX file (bad magic number " + hex32(magic) + ")");
    if (header[2] != 0x08)
        throw InputError(path + ": unsupported IDX element type 0x" + hex32(header[2]).substr(8) +
                         " (magic " + hex32(magic) + "; only unsigned bytes, type 0x08, are supported)");
    const int ndims = header[3];
    if (ndims < 1 || ndims > 8)
        throw InputError(path + ": bad IDX magic number " + hex32(magic) + " (" + std::to_string(ndims) +
                         " dimensions; expected 1 to 8)");
    std::uint64_t payload = 1;
    for (int k = 0; k < ndims; ++k) {
        unsigned char b[4];
        file.readExactly(b, 4, "the IDX header (dimension " + std::to_string(k + 1) + " of " +
                                   std::to_string(ndims) + ")");
        const std::uint32_t dim = bigEndian32(b);
        if (dim == 0)
            throw InputError(path + ": IDX dimension " + std::to_string(k + 1) + " is zero");
        if (payload > IdxReader::kMaxPayloadBytes / dim)
            throw InputError(path + ": the IDX header claims more than " +
                             std::to_string(IdxReader::kMaxPayloadBytes >> 30) + " GiB of data");
        payload *= dim;
        array.dims.push_back(dim);
    }
    const std::uint64_t headerBytes = 4 + 4 * std::uint64_t(ndims);
    const std::uint64_t available = file.maxContentSize() > headerBytes ? file.maxContentSize() - headerBytes : 0;
    if (payload > available)
        throw InputError(path + ": the IDX header claims " + std::to_string(payload) + " bytes of data but the " +
                         (file.isCompressed() ? "compressed file (" + std::to_string(file.fileSize()) +
                                                    " bytes) cannot hold that many"
                                              : "file holds only " + std::to_string(available)) +
                         " (truncated or corrupt file)");
    if (file.isCompressed() && payload > IdxReader::kPlausibleFreeBytes &&
        payload > file.fileSize() * IdxReader::kMaxPlausibleExpansion)
        throw InputError(path + ": the IDX header claims " + MemoryBudget::describeBytes(payload) + " from " +
                         MemoryBudget::describeBytes(file.fileSize()) +
                         " of gzip data, more than image data ever compresses (a decompression bomb?)");
    return payload;
}
} // namespace

std::vector<std::uint32_t> IdxReader::readDims(const std::string& path)
{
    GzipFile file(path);
    IdxArray array;
    readHeader(file, array);
    return array.dims;
}

IdxArray IdxReader::read(const std::string& path)
{
    GzipFile file(path);
    IdxArray array;
    const std::uint64_t payload = readHeader(file, array);
    MemoryBudget::require(path, "the IDX data", payload);
    // Reserve (address space only, untouched) and fill as data arrives: a lying gzip header cannot make us touch
    // memory for data that is not there, and growing in place never holds two copies.
    constexpr std::uint64_t kChunk = 16u << 20;
    array.data.reserve(std::size_t(payload));
    std::uint64_t have = 0;
    while (have < payload) {
        const std::uint64_t next = std::min(payload, have + kChunk);
        array.data.resize(std::size_t(next));
        const std::size_t got = file.read(array.data.data() + have, std::size_t(next - have));
        have += got;
        if (have < next) {
            throw InputError(path + ": truncated file: the IDX header declares " + std::to_string(payload) +
                             " data bytes, only " + std::to_string(have) + " present");
        }
    }
    if (!file.atEnd())
        throw InputError(path + ": the file has more data than its IDX header declares (" + std::to_string(payload) +
                         " bytes)");
    return array;
}

IdxImages IdxReader::readImages(const std::string& path)
{
    // Check the magic before reading the payload, for a clear message on a swapped images/labels file.
    {
        GzipFile file(path);
        unsigned char header[4];
        if (file.read(header, 4) == 4 && bigEndian32(header) != 0x00000803u && header[0] == 0 && header[1] == 0)
            throw InputError(path + ": not an IDX image file (magic " + hex32(bigEndian32(header)) +
                             ", expected 0x00000803)");
    }
    IdxArray array = read(path);
    if (array.dims.size() != 3)
        throw InputError(path + ": not an IDX image file (expected 3 dimensions)");
    if (array.dims[0] > std::uint32_t(std::numeric_limits<int>::max()) || array.dims[1] > 65535 ||
        array.dims[2] > 65535)
        throw InputError(path + ": IDX image dimensions out of range");
    IdxImages images;
    images.count = int(array.dims[0]);
    images.rows = int(array.dims[1]);
    images.cols = int(array.dims[2]);
    images.pixels = std::move(array.data);
    return images;
}

std::vector<std::uint8_t> IdxReader::readLabels(const std::string& path)
{
    {
        GzipFile file(path);
        unsigned char header[4];
        if (file.read(header, 4) == 4 && bigEndian32(header) != 0x00000801u && header[0] == 0 && header[1] == 0)
            throw InputError(path + ": not an IDX label file (magic " + hex32(bigEndian32(header)) +
                             ", expected 0x00000801)");
    }
    IdxArray array = read(path);
    if (array.dims.size() != 1)
        throw InputError(path + ": not an IDX label file (expected 1 dimension)");
    return std::move(array.data);
}

} // namespace featurescope

#pragma once

#include "io/ArrayData.h"
#include "io/NpyFile.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// NumPy's .npz: a zip archive of .npy members (stored or deflated), read and written with libzip (no hand-written
// zip parser). Reading treats the archive as hostile: libzip checks the directory's consistency (ZIP_CHECKCONS) and
// each member's CRC; a member's declared size is bounded by deflate's maximum expansion of its compressed size,
// never trusted for allocation (the buffer grows as data arrives) and must match what is actually read; only stored
// and deflated, unencrypted members are accepted; the .npy inside is checked like any .npy file. Problems throw
// InputError with one line naming the file (and the member). An NpzArchive is not thread-safe (libzip's handle);
// use one per thread.
class NpzArchive {
public:
    static constexpr std::uint64_t kMaxExpansion = 1032;
    static constexpr std::uint64_t kMaxMemberBytes = std::uint64_t(16) << 30; // 16 GiB

    struct Member {
        std::string name;      // the array name: the entry name without ".npy"
        std::string entryName; // the zip entry name
        std::uint64_t size = 0;
        std::uint64_t compressedSize = 0;
        bool deflated = false;
        std::uint64_t index = 0; // libzip entry index
    };
    struct NamedArray {
        std::string name;
        ArrayData array;
    };

    static NpzArchive open(const std::string& path); // throws InputError
    static NpzArchive fromBuffer(const std::string& name, const std::uint8_t* data, std::size_t size);

    const std::string& path() const { return m_path; }
    // The .npy members, in archive order (other entries are ignored).
    const std::vector<Member>& members() const { return m_members; }
    std::vector<std::string> names() const;
    bool contains(const std::string& name) const;
    // The .npy header of one member (reads only its first bytes): dtype and shape without decompressing the data.
    NpyHeader header(const std::string& name, NpyFile::Options options = {}) const;
    // Reads, checks and parses one member (by array name, with or without ".npy"). The array owns its bytes.
    ArrayData array(const std::string& name, NpyFile::Options options = {},
                    const ProgressReporter* progress = nullptr) const;

    // One member's elements converted to float in C order into out[0 .. elementCount), inflating and converting a
    // few MB at a time: peak memory is `out` plus one chunk, never the whole raw member beside it. Fortran-order
    // members fall back to array() (checked against the MemoryBudget).
    void toFloat(const std::string& name, float* out, NpyFile::Options options = {},
                 const ProgressReporter* progress = nullptr) const;

    // Writes the arrays as name.npy members, deflated or stored; atomic (built in memory, written by AtomicFileWriter
    // like every save). Throws InputError on a bad or duplicate name or a write error.
    static void write(const std::string& path, const std::vector<NamedArray>& arrays, bool compress = true);

private:
    struct Handle;
    const Member& member(const std::string& name) const;
    // zip_fopen of a member after checking its method, encryption and declared size; returns the declared size.
    void* openMember(const Member& m, std::uint64_t& declaredSize) const;
    static NpzArchive fromHandle(std::shared_ptr<Handle> handle, const std::string& path);

    std::string m_path;
    std::shared_ptr<Handle> m_handle;
    std::vector<Member> m_members;
};

} // namespace featurescope

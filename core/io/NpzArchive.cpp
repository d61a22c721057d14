#include "io/NpzArchive.h"

#include "common/InputError.h"
#include "common/MemoryBudget.h"
#include "common/ProgressReporter.h"
#include "io/AtomicFileWriter.h"
#include "io/FileText.h"
#include "common/Cancelled.h"
#include "io/MappedFile.h"
#include "io/RegularFile.h"

#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <sys/stat.h>

namespace featurescope {

struct NpzArchive::Handle {
    zip_t* archive = nullptr;
    std::string buffer; // the bytes of an in-memory archive (libzip reads them in place)
    ~Handle()
    {
        if (archive)
            zip_discard(archive);
    }
};

namespace {

std::string zipErrorText(int code)
{
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    return text;
}

std::string zipErrorText(zip_error_t* error) { return zip_error_strerror(error); }

// Why libzip refused to open an archive, in words for the user: its ZIP_ER_EXISTS ("File already exists") means
// two directory entries share one name.
std::string openFailure(int code, const std::string& text)
{
    if (code == ZIP_ER_EXISTS)
        return "not a valid .npz archive: two members have the same name";
    return "not a valid .npz (zip) archive (" + text + ")";
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

NpzArchive NpzArchive::open(const std::string& path)
{
    RegularFile file = RegularFile::open(path);
    int code = 0;
    auto handle = std::make_shared<Handle>();
    handle->archive = zip_fdopen(file.fd(), ZIP_CHECKCONS, &code); // read-only; owns the descriptor on success
    if (!handle->archive)
        throw InputError(path + ": " + openFailure(code, zipErrorText(code)));
    file.release();
    return fromHandle(std::move(handle), path);
}

NpzArchive NpzArchive::fromBuffer(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    auto handle = std::make_shared<Handle>();
    handle->buffer.assign(reinterpret_cast<const char*>(data), size);
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(handle->buffer.data(), handle->buffer.size(), 0, &error);
    if (!source) {
        const std::string text = zipErrorText(&error);
        zip_error_fini(&error);
        throw InputError(name + ": cannot read the archive (" + text + ")");
    }
    handle->archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!handle->archive) {
        zip_source_free(source);
        const std::string text = openFailure(zip_error_code_zip(&error), zipErrorText(&error));
        zip_error_fini(&error);
        throw InputError(name + ": " + text);
    }
    zip_error_fini(&error);
    return fromHandle(std::move(handle), name);
}

NpzArchive NpzArchive::fromHandle(std::shared_ptr<Handle> handle, const std::string& path)
{
    NpzArchive result;
    result.m_path = path;
    const zip_int64_t count = zip_get_num_entries(handle->archive, 0);
    std::set<std::string> seen;
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(handle->archive, zip_uint64_t(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) || !st.name)
            throw InputError(path + ": corrupt .npz archive (cannot read entry " + std::to_string(i) + ": " +
                             zip_strerror(handle->archive) + ")");
        const std::string entry = st.name;
        if (!endsWith(entry, ".npy"))
            continue; // directories and other files are not arrays
        Member m;
        m.entryName = entry;
        m.index = zip_uint64_t(i);
        m.name = entry.substr(0, entry.size() - 4);
        m.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
        m.compressedSize = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
        m.deflated = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_DEFLATE;
        if (!seen.insert(m.name).second)
            throw InputError(path + ": the .npz archive holds two members named " + FileText::quoted(entry));
        result.m_members.push_back(std::move(m));
    }
    result.m_handle = std::move(handle);
    return result;
}

std::vector<std::string> NpzArchive::names() const
{
    std::vector<std::string> names;
    for (const auto& m : m_members)
        names.push_back(m.name);
    return names;
}

bool NpzArchive::contains(const std::string& name) const
{
    const std::string bare = endsWith(name, ".npy") ? name.substr(0, name.size() - 4) : name;
    return std::any_of(m_members.begin(), m_members.end(), [&](const Member& m) { return m.name == bare; });
}

const NpzArchive::Member& NpzArchive::member(const std::string& name) const
{
    const std::string bare = endsWith(name, ".npy") ? name.substr(0, name.size() - 4) : name;
    const auto it = std::find_if(m_members.begin(), m_members.end(), [&](const Member& m) { return m.name == bare; });
    if (it == m_members.end()) {
        std::string available;
        for (const auto& m : m_members)
            available += (available.empty() ? "" : ", ") + FileText::printable(m.name, 40);
        throw InputError(m_path + ": no array " + FileText::quoted(bare) + " (the archive holds " +
                         (available.empty() ? std::string("no .npy members") : FileText::printable(available, 300)) +
                         ")");
    }
    return *it;
}

void* NpzArchive::openMember(const Member& m, std::uint64_t& declaredSize) const
{
    const std::string where = m_path + ": member " + FileText::quoted(m.entryName);
    zip_t* archive = m_handle->archive;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive, m.index, 0, &st) != 0)
        throw InputError(where + ": cannot read it (" + zip_strerror(archive) + ")");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        throw InputError(where + " is encrypted (not supported)");
    if (!(st.valid & ZIP_STAT_COMP_METHOD) ||
        (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE))
        throw InputError(where + " uses compression method " + std::to_string(st.comp_method) +
                         " (only stored and deflated members are supported)");
    if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
        throw InputError(where + ": the archive does not record its size");
    const bool deflated = st.comp_method == ZIP_CM_DEFLATE;
    if (!deflated && st.size != st.comp_size)
        throw InputError(where + " is stored but declares " + std::to_string(st.size) + " bytes and " +
                         std::to_string(st.comp_size) + " compressed bytes (corrupt archive)");
    if (deflated && st.comp_size < std::uint64_t(-1) / kMaxExpansion && st.size > st.comp_size * kMaxExpansion + 1024)
        throw InputError(where + " declares " + std::to_string(st.size) + " bytes, more than deflate can expand " +
                         std::to_string(st.comp_size) + " compressed bytes to (corrupt archive)");
    if (st.size > kMaxMemberBytes)
        throw InputError(where + " declares " + std::to_string(st.size) + " bytes (limit 16 GiB)");
    zip_file_t* file = zip_fopen_index(archive, m.index, 0);
    if (!file)
        throw InputError(where + ": cannot open it (" + zip_strerror(archive) + ")");
    declaredSize = st.size;
    return file;
}

namespace {
struct MemberCloser {
    zip_file_t* f;
    ~MemberCloser() { zip_fclose(f); }
};
// Reads up to `count` bytes (fewer only at the end of the member); throws on corrupt data.
std::uint64_t readMember(zip_file_t* file, char* out, std::uint64_t count, const std::string& where)
{
    std::uint64_t done = 0;
    while (done < count) {
        const zip_int64_t got = zip_fread(file, out + done, count - done);
        if (got < 0)
            throw InputError(where + " is corrupt (" + zip_file_strerror(file) + ")");
        if (got == 0)
            break;
        done += std::uint64_t(got);
    }
    return done;
}
} // namespace

NpyHeader NpzArchive::header(const std::string& name, NpyFile::Options options) const
{
    const Member& m = member(name);
    const std::string where = m_path + ": member " + FileText::quoted(m.entryName);
    std::uint64_t declared = 0;
    auto* file = static_cast<zip_file_t*>(openMember(m, declared));
    MemberCloser closer{file};
    std::string bytes(std::size_t(std::min<std::uint64_t>(declared, 12)), '\0');
    bytes.resize(std::size_t(readMember(file, bytes.data(), bytes.size(), where)));
    if (bytes.size() >= 10 && bytes.compare(0, 6, "\x93NUMPY") == 0) {
        const auto* b = reinterpret_cast<const std::uint8_t*>(bytes.data());
        const std::uint64_t start = b[6] == 1 ? 10 : 12;
        std::uint64_t length = std::uint64_t(b[8]) | (std::uint64_t(b[9]) << 8);
        if (b[6] != 1 && bytes.size() >= 12)
            length |= (std::uint64_t(b[10]) << 16) | (std::uint64_t(b[11]) << 24);
        const std::uint64_t want = std::min<std::uint64_t>(std::min(start + length, start + NpyFile::kMaxHeaderBytes), declared);
        if (want > bytes.size()) {
            const std::size_t had = bytes.size();
            bytes.resize(std::size_t(want));
            bytes.resize(had + std::size_t(readMember(file, bytes.data() + had, want - had, where)));
        }
    }
    const NpyHeader header = NpyFile::parseHeader(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                                                  m_path + ":" + m.entryName, options);
    if (header.dataOffset + header.dataBytes != declared)
        throw InputError(m_path + ":" + m.entryName + ": the .npy header declares " + std::to_string(header.dataBytes) +
                         " data bytes but the member holds " +
                         std::to_string(declared > header.dataOffset ? declared - header.dataOffset : 0));
    return header;
}

ArrayData NpzArchive::array(const std::string& name, NpyFile::Options options, const ProgressReporter* progress) const
{
    const Member& m = member(name);
    const std::string where = m_path + ": member " + FileText::quoted(m.entryName);
    std::uint64_t expected = 0;
    auto* file = static_cast<zip_file_t*>(openMember(m, expected));
    MemberCloser closer{file};
    MemoryBudget::require(where, "inflating it", expected);
    // Reserve address space for the declared size (deflate's bound keeps it honest) but touch memory only as data
    // arrives: a lying size costs nothing, and growing in place never holds two copies.
    std::string bytes;
    bytes.reserve(std::size_t(expected) + 1);
    constexpr std::uint64_t kChunk = 16u << 20;
    std::uint64_t have = 0;
    while (true) {
        const std::uint64_t want = std::min<std::uint64_t>(kChunk, expected + 1 - have);
        if (want == 0)
            break;
        bytes.resize(std::size_t(have + want));
        const std::uint64_t got = readMember(file, bytes.data() + have, want, where);
        have += got;
        if (got < want || have > expected)
            break;
        if (progress) {
            if (progress->isCancelled())
                throw Cancelled();
            progress->report(expected ? double(have) / double(expected) : 1.0);
        }
    }
    if (have != expected)
        throw InputError(where + (have < expected ? " is truncated" : " is longer than declared") + " (" +
                         std::to_string(have) + " bytes, the archive declares " + std::to_string(expected) + ")");
    bytes.resize(std::size_t(have));
    return NpyFile::parse(MappedFile::fromBuffer(m_path + ":" + m.entryName, std::move(bytes)), options);
}

void NpzArchive::toFloat(const std::string& name, float* out, NpyFile::Options options,
                         const ProgressReporter* progress) const
{
    const NpyHeader npy = header(name, options); // checks the header against the member's size
    if (npy.fortranOrder && npy.shape.size() > 1) {
        array(name, options, progress).toFloat(out, progress);
        return;
    }
    const Member& m = member(name);
    const std::string where = m_path + ": member " + FileText::quoted(m.entryName);
    std::uint64_t declared = 0;
    auto* file = static_cast<zip_file_t*>(openMember(m, declared));
    MemberCloser closer{file};
    const std::size_t itemSize = dtypeSize(npy.dtype);
    constexpr std::uint64_t kChunkBytes = 8u << 20;
    const std::uint64_t chunkBytes = kChunkBytes - kChunkBytes % itemSize;
    std::vector<std::uint8_t> chunk(std::size_t(std::max<std::uint64_t>(npy.dataOffset, chunkBytes)));
    if (readMember(file, reinterpret_cast<char*>(chunk.data()), npy.dataOffset, where) != npy.dataOffset)
        throw InputError(where + " is truncated (its .npy header is cut off)");
    const std::uint64_t count = npy.dataBytes / itemSize;
    std::uint64_t done = 0; // elements
    while (done < count) {
        const std::uint64_t bytes = std::min<std::uint64_t>(chunkBytes, (count - done) * itemSize);
        const std::uint64_t got = readMember(file, reinterpret_cast<char*>(chunk.data()), bytes, where);
        if (got != bytes)
            throw InputError(where + " is truncated (" + std::to_string(npy.dataOffset + done * itemSize + got) +
                             " bytes, the archive declares " + std::to_string(declared) + ")");
        const std::uint64_t elements = bytes / itemSize;
        ArrayData::view(npy.dtype, {elements}, nullptr, chunk.data()).toFloat(out + done);
        done += elements;
        if (progress) {
            if (progress->isCancelled())
                throw Cancelled();
            progress->report(double(done) / double(count));
        }
    }
    // Reading past the end makes libzip verify the member's CRC.
    char extra = 0;
    if (readMember(file, &extra, 1, where) != 0)
        throw InputError(where + " is longer than declared (the archive declares " + std::to_string(declared) +
                         " bytes)");
}

void NpzArchive::write(const std::string& path, const std::vector<NamedArray>& arrays, bool compress)
{
    std::set<std::string> names;
    for (const auto& a : arrays)
        if (a.name.empty() || a.name.find('/') != std::string::npos || !names.insert(a.name).second)
            throw InputError(path + ": cannot write an array named '" + a.name + "' (empty, duplicate or with '/')");
    if (arrays.empty())
        throw InputError(path + ": no arrays to write");
    // Built in memory, then written by the atomic writer like every other save (libzip's own temporary files
    // would bypass the folder fsync and the clean-up of left-overs).
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* memory = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (!memory)
        throw InputError(path + ": cannot write the archive (" + zipErrorText(&error) + ")");
    zip_source_keep(memory); // survives zip_close, which fills it
    struct SourceRelease {
        zip_source_t* source;
        ~SourceRelease() { zip_source_free(source); }
    } release{memory};
    zip_t* archive = zip_open_from_source(memory, ZIP_TRUNCATE, &error);
    if (!archive)
        throw InputError(path + ": cannot write the archive (" + zipErrorText(&error) + ")");
    std::vector<std::string> images; // must outlive zip_close
    images.reserve(arrays.size());
    auto fail = [&](const std::string& what) {
        const std::string text = what + " (" + zip_strerror(archive) + ")";
        zip_discard(archive);
        return InputError(path + ": cannot write the archive: " + text);
    };
    for (const auto& a : arrays) {
        images.push_back(NpyFile::serialize(a.array));
        zip_source_t* source = zip_source_buffer(archive, images.back().data(), images.back().size(), 0);
        if (!source)
            throw fail("member " + a.name);
        const zip_int64_t index = zip_file_add(archive, (a.name + ".npy").c_str(), source, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(source);
            throw fail("member " + a.name);
        }
        if (zip_set_file_compression(archive, zip_uint64_t(index), compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0)
            throw fail("member " + a.name);
    }
    if (zip_close(archive) != 0)
        throw fail("closing");
    images.clear();
    std::string bytes;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(memory, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(memory) != 0)
        throw InputError(path + ": cannot write the archive (" + zip_error_strerror(zip_source_error(memory)) + ")");
    bytes.resize(std::size_t(st.size));
    const zip_int64_t got = zip_source_read(memory, bytes.data(), st.size);
    zip_source_close(memory);
    if (got < 0 || zip_uint64_t(got) != st.size)
        throw InputError(path + ": cannot write the archive (" + zip_error_strerror(zip_source_error(memory)) + ")");
    AtomicFileWriter::writeFile(path, bytes);
}

} // namespace featurescope

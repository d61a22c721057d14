#include "io/SafetensorsFile.h"

#include "common/InputError.h"
#include "io/AtomicFileWriter.h"
#include "io/FileText.h"
#include "io/JsonReader.h"
#include "io/MappedFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <set>

namespace featurescope {

namespace {

std::uint64_t readLittleEndian64(const std::uint8_t* p)
{
    std::uint64_t value = 0;
    for (int k = 7; k >= 0; --k)
        value = (value << 8) | p[k];
    return value;
}

std::string jsonKind(const nlohmann::json& j)
{
    if (j.is_object()) return "an object";
    if (j.is_array()) return "an array";
    if (j.is_string()) return "a string";
    if (j.is_boolean()) return "a boolean";
    if (j.is_null()) return "null";
    if (j.is_number_integer() && !j.is_number_unsigned()) return "a negative number";
    if (j.is_number_float()) return "a non-integer number";
    return "a number";
}

} // namespace

SafetensorsFile SafetensorsFile::open(const std::string& path) { return parse(MappedFile::open(path)); }

SafetensorsFile SafetensorsFile::fromBuffer(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    return parse(MappedFile::fromBuffer(name, data, size));
}

SafetensorsFile SafetensorsFile::parse(std::shared_ptr<const MappedFile> file)
{
    const std::string& path = file->path();
    auto fail = [&](const std::string& problem) { return InputError(path + ": " + problem); };
    const std::uint64_t size = file->size();
    if (size < 8)
        throw fail("not a safetensors file (" + std::to_string(size) +
                   " bytes, shorter than the 8-byte header length)");
    const std::uint64_t headerBytes = readLittleEndian64(file->data());
    if (headerBytes > kMaxHeaderBytes)
        throw fail("not a safetensors file or corrupt: the header length " + std::to_string(headerBytes) +
                   " exceeds the 100 MB limit");
    if (headerBytes < 2)
        throw fail("not a safetensors file: the header length is " + std::to_string(headerBytes) + " bytes");
    if (headerBytes > size - 8)
        throw fail("truncated safetensors file: the header needs " + std::to_string(headerBytes) + " bytes, only " +
                   std::to_string(size - 8) + " present");
    const char* header = reinterpret_cast<const char*>(file->data() + 8);
    if (header[0] != '{')
        throw fail("not a safetensors file: the header does not start with a JSON object");

    // Linear-time parse that refuses invalid UTF-8, duplicate keys (a tensor named twice), deep nesting and a
    // document that would take far more memory than its text.
    const nlohmann::json json = JsonReader::parse(std::string_view(header, std::size_t(headerBytes)), path,
                                                  "the safetensors header", JsonLimits::withMaxBytes(kMaxHeaderBytes));
    if (!json.is_object())
        throw fail("the safetensors header is not a JSON object");

    SafetensorsFile result;
    result.m_path = path;
    result.m_dataStart = 8 + headerBytes;
    const std::uint64_t dataSize = size - result.m_dataStart;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const std::string& name = it.key();
        const nlohmann::json& entry = it.value();
        if (name == "__metadata__") {
            if (!entry.is_object())
                throw fail("__metadata__ must be an object mapping strings to strings, not " + jsonKind(entry));
            for (auto m = entry.begin(); m != entry.end(); ++m) {
                if (!m.value().is_string())
                    throw fail("__metadata__ entry " + FileText::quoted(m.key()) + " is " + jsonKind(m.value()) +
                               ", not a string");
                result.m_metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string tensorName = "tensor " + FileText::quoted(name);
        if (name.empty())
            throw fail("a tensor has an empty name");
        if (!entry.is_object())
            throw fail(tensorName + " is " + jsonKind(entry) + ", not an object with dtype, shape and data_offsets");
        TensorInfo info;
        info.name = name;
        const auto dtype = entry.find("dtype");
        if (dtype == entry.end() || !dtype->is_string())
            throw fail(tensorName + " has no dtype string");
        const auto type = dtypeFromSafetensorsName(dtype->get<std::string>());
        if (!type)
            throw fail(tensorName + " has unsupported dtype " + FileText::quoted(dtype->get<std::string>()) +
                       " (supported: BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64)");
        info.dtype = *type;
        const auto shape = entry.find("shape");
        if (shape == entry.end() || !shape->is_array())
            throw fail(tensorName + " has no shape array");
        if (shape->size() > kMaxRank)
            throw fail(tensorName + " has " + std::to_string(shape->size()) + " dimensions (at most " +
                       std::to_string(kMaxRank) + ")");
        for (const auto& d : *shape) {
            if (!d.is_number_unsigned())
                throw fail(tensorName + " has a shape entry that is " + jsonKind(d) +
                           (d.is_number_integer() ? " (negative dimension)" : "") + ", not a non-negative integer");
            info.shape.push_back(d.get<std::uint64_t>());
        }
        const auto offsets = entry.find("data_offsets");
        if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2)
            throw fail(tensorName + " has no data_offsets [begin, end]");
        for (const auto& o : *offsets)
            if (!o.is_number_unsigned())
                throw fail(tensorName + " has a data offset that is " + jsonKind(o) + ", not a non-negative integer");
        info.begin = (*offsets)[0].get<std::uint64_t>();
        info.end = (*offsets)[1].get<std::uint64_t>();
        const std::string offsetText = "[" + std::to_string(info.begin) + ", " + std::to_string(info.end) + "]";
        if (info.begin > info.end)
            throw fail(tensorName + " has data_offsets " + offsetText + " with begin after end");
        if (info.end > dataSize)
            throw fail(tensorName + " has data_offsets " + offsetText + " beyond the data buffer of " +
                       std::to_string(dataSize) + " bytes (truncated file?)");
        const auto count = ArrayData::elementCount(info.shape);
        const std::size_t elementSize = dtypeSize(info.dtype);
        if (!count || *count > (std::uint64_t(1) << 62) / elementSize)
            throw fail(tensorName + " has shape " + ArrayData::shapeText(info.shape) +
                       " whose size overflows");
        if (*count * elementSize != info.end - info.begin)
            throw fail(tensorName + " has shape " + ArrayData::shapeText(info.shape) + " of " +
                       dtypeSafetensorsName(info.dtype) + " (" + std::to_string(*count * elementSize) +
                       " bytes) but data_offsets " + offsetText + " span " + std::to_string(info.end - info.begin) +
                       " bytes");
        result.m_tensors.push_back(std::move(info));
    }
    std::sort(result.m_tensors.begin(), result.m_tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const TensorInfo* previous = nullptr;
    for (const auto& t : result.m_tensors) {
        if (t.begin == t.end)
            continue; // empty tensors occupy no bytes
        if (previous && t.begin < previous->end)
            throw fail("tensors " + FileText::quoted(previous->name) + " and " + FileText::quoted(t.name) +
                       " overlap in the data buffer ([" + std::to_string(previous->begin) + ", " +
                       std::to_string(previous->end) + ") and [" + std::to_string(t.begin) + ", " +
                       std::to_string(t.end) + "))");
        previous = &t;
    }
    for (std::size_t i = 0; i < result.m_tensors.size(); ++i)
        result.m_index[result.m_tensors[i].name] = i;
    result.m_file = std::move(file);
    return result;
}

std::vector<std::string> SafetensorsFile::names() const
{
    std::vector<std::string> names;
    for (const auto& t : m_tensors)
        names.push_back(t.name);
    return names;
}

const SafetensorsFile::TensorInfo* SafetensorsFile::find(const std::string& name) const
{
    const auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

ArrayData SafetensorsFile::tensor(const std::string& name) const
{
    const TensorInfo* info = find(name);
    if (!info) {
        std::string available;
        for (const auto& t : m_tensors)
            available += (available.empty() ? "" : ", ") + FileText::printable(t.name, 40);
        throw InputError(m_path + ": no tensor " + FileText::quoted(name) + " (the file holds " +
                         (available.empty() ? std::string("no tensors") : FileText::printable(available, 300)) + ")");
    }
    return ArrayData::view(info->dtype, info->shape, m_file, m_file->data() + m_dataStart + info->begin);
}

std::string SafetensorsFile::serialize(const std::vector<NamedArray>& tensors, const Metadata& metadata)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    std::vector<ArrayData> arrays;
    for (const auto& t : tensors) {
        if (t.name.empty() || t.name == "__metadata__")
            throw InputError("cannot write a safetensors tensor named '" + t.name + "'");
        if (header.contains(t.name))
            throw InputError("cannot write two safetensors tensors named '" + t.name + "'");
        ArrayData a = t.array.fortranOrder() && t.array.rank() > 1 ? t.array.converted(t.array.dtype()) : t.array;
        header[t.name] = {{"dtype", dtypeSafetensorsName(a.dtype())},
                          {"shape", a.shape()},
                          {"data_offsets", {offset, offset + a.byteSize()}}};
        offset += a.byteSize();
        arrays.push_back(std::move(a));
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception&) {
        throw InputError("cannot write a safetensors header: a name or metadata value is not valid UTF-8");
    }
    text.append((8 - text.size() % 8) % 8, ' ');
    std::string out(8, '\0');
    const std::uint64_t length = text.size();
    for (int k = 0; k < 8; ++k)
        out[std::size_t(k)] = char((length >> (8 * k)) & 0xFF);
    out += text;
    for (const auto& a : arrays)
        out.append(reinterpret_cast<const char*>(a.data()), std::size_t(a.byteSize()));
    return out;
}

void SafetensorsFile::write(const std::string& path, const std::vector<NamedArray>& tensors, const Metadata& metadata)
{
    AtomicFileWriter::writeFile(path, serialize(tensors, metadata));
}

} // namespace featurescope

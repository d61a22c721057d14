#include "io/ArrayFile.h"

#include "common/InputError.h"
#include "io/FileText.h"
#include "io/MappedFile.h"
#include "io/NpzArchive.h"
#include "io/SafetensorsFile.h"

#include <cstring>
#include <filesystem>

namespace featurescope {

std::string ArrayFile::Entry::describe() const
{
    return FileText::printable(name, 60) + " " + ArrayData::shapeText(shape) + " " + dtypeShortName(dtype);
}

std::string ArrayFile::formatName(Format format)
{
    switch (format) {
    case Format::Npy: return "npy";
    case Format::Npz: return "npz";
    case Format::Safetensors: return "safetensors";
    }
    return "npy";
}

ArrayFile ArrayFile::open(const std::string& path, NpyReadOptions options)
{
    auto file = MappedFile::open(path);
    ArrayFile result;
    result.m_path = path;
    result.m_options = options;
    const std::uint8_t* b = file->data();
    const std::uint64_t size = file->size();
    if (size >= 6 && std::memcmp(b, "\x93NUMPY", 6) == 0) {
        result.m_format = Format::Npy;
        result.m_npy = NpyFile::parse(std::move(file), options);
        std::string stem = std::filesystem::path(path).stem().string();
        result.m_entries.push_back({stem.empty() ? "array" : stem, result.m_npy.dtype(), result.m_npy.shape()});
    } else if (size >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6))) {
        file.reset();
        result.m_format = Format::Npz;
        result.m_npz = std::make_shared<NpzArchive>(NpzArchive::open(path));
        for (const auto& m : result.m_npz->members()) {
            const NpyHeader header = result.m_npz->header(m.name, options);
            result.m_entries.push_back({m.name, header.dtype, header.shape});
        }
    } else if (size >= 9 && b[8] == '{') {
        result.m_format = Format::Safetensors;
        result.m_safetensors = std::make_shared<SafetensorsFile>(SafetensorsFile::parse(std::move(file)));
        for (const auto& t : result.m_safetensors->tensors())
            result.m_entries.push_back({t.name, t.dtype, t.shape});
    } else {
        throw InputError(path + ": not a .npy, .npz or .safetensors file (unrecognised content)");
    }
    return result;
}

const ArrayFile::Entry* ArrayFile::find(const std::string& name) const
{
    for (const auto& e : m_entries)
        if (e.name == name)
            return &e;
    return nullptr;
}

std::map<std::string, std::string> ArrayFile::metadata() const
{
    return m_safetensors ? m_safetensors->metadata() : std::map<std::string, std::string>{};
}

ArrayData ArrayFile::array(const std::string& name, const ProgressReporter* progress) const
{
    if (!find(name)) {
        std::string available;
        for (const auto& e : m_entries)
            available += (available.empty() ? "" : ", ") + e.describe();
        throw InputError(m_path + ": no array " + FileText::quoted(name) + " (the file holds " +
                         (available.empty() ? std::string("no arrays") : FileText::printable(available, 300)) + ")");
    }
    switch (m_format) {
    case Format::Npy: return m_npy;
    case Format::Npz: return m_npz->array(name, m_options, progress);
    case Format::Safetensors: return m_safetensors->tensor(name);
    }
    return {};
}

void ArrayFile::toFloat(const std::string& name, float* out, const ProgressReporter* progress) const
{
    if (m_format == Format::Npz && find(name))
        m_npz->toFloat(name, out, m_options, progress);
    else
        array(name, progress).toFloat(out, progress);
}

} // namespace featurescope

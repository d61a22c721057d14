#include "sae/ActivationImport.h"

#include "common/InputError.h"
#include "common/MemoryBudget.h"
#include "io/FileText.h"
#include "io/JsonReader.h"
#include "io/MappedFile.h"
#include "io/NpzArchive.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace featurescope {

std::vector<ArrayFile::Entry> ActivationImport::candidates(const ArrayFile& file)
{
    std::vector<ArrayFile::Entry> result;
    for (const auto& e : file.entries()) {
        const auto count = ArrayData::elementCount(e.shape);
        if (dtypeIsFloat(e.dtype) && e.shape.size() >= 2 && count && *count > 0)
            result.push_back(e);
    }
    return result;
}

namespace {

std::string listEntries(const std::vector<ArrayFile::Entry>& entries)
{
    std::string text;
    for (const auto& e : entries)
        text += (text.empty() ? "" : ", ") + e.describe();
    return FileText::printable(text, 400);
}

std::vector<int> loadLabels(const ArrayFile& file, const std::string& spec, std::uint64_t rows)
{
    // A name in the same file, or another file ("path" holding one array, or "path:name").
    const ArrayFile* source = &file;
    ArrayFile other;
    std::string name = spec;
    if (!file.find(spec)) {
        std::string path = spec;
        std::error_code error;
        const auto colon = spec.rfind(':');
        if (!std::filesystem::is_regular_file(path, error) && colon != std::string::npos && colon > 0) {
            path = spec.substr(0, colon);
            name = spec.substr(colon + 1);
        } else {
            name.clear();
        }
        if (!std::filesystem::is_regular_file(path, error))
            throw InputError(file.path() + ": no labels array " + FileText::quoted(spec) + " (the file holds " +
                             listEntries(file.entries()) + "; --labels takes an array name or a file)");
        other = ArrayFile::open(path);
        source = &other;
        if (name.empty()) {
            if (other.entries().size() != 1)
                throw InputError(path + ": holds " + std::to_string(other.entries().size()) + " arrays (" +
                                 listEntries(other.entries()) + "): name the labels as " + path + ":NAME");
            name = other.entries().front().name;
        }
    }
    const ArrayData a = source->array(name);
    const std::string where = source->path() + ": labels " + FileText::quoted(name);
    const bool vector = a.rank() == 1 || (a.rank() == 2 && a.shape()[1] == 1);
    if (!vector)
        throw InputError(where + " have shape " + ArrayData::shapeText(a.shape()) + " (expected [N] or [N, 1])");
    if (a.elementCount() != rows)
        throw InputError(where + " have " + std::to_string(a.elementCount()) + " entries for " +
                         std::to_string(rows) + " activation rows");
    const std::vector<std::int64_t> values = a.toInt64Vector(where);
    std::vector<int> labels(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] < 0 || values[i] >= ActivationImport::kMaxLabel)
            throw InputError(where + ": entry " + std::to_string(i) + " is " + std::to_string(values[i]) +
                             " (labels must be integers in [0, " + std::to_string(ActivationImport::kMaxLabel) + "))");
        labels[i] = int(values[i]);
    }
    return labels;
}

void appendUtf8(std::string& out, std::uint32_t c)
{
    if (c < 0x80) {
        out += char(c);
    } else if (c < 0x800) {
        out += char(0xC0 | (c >> 6));
        out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += char(0xE0 | (c >> 12));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    } else {
        out += char(0xF0 | (c >> 18));
        out += char(0x80 | ((c >> 12) & 0x3F));
        out += char(0x80 | ((c >> 6) & 0x3F));
        out += char(0x80 | (c & 0x3F));
    }
}

bool isUtf8(const std::string& s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
        if (extra < 0 || i + std::size_t(extra) >= s.size() + (extra == 0 ? 1 : 0))
            return false;
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + std::size_t(k)]) >> 6) != 0x2)
                return false;
        i += std::size_t(extra) + 1;
    }
    return true;
}

// A JSON token list holds far fewer bytes than the activations it labels; the parsed document's memory is bounded
// separately by JsonLimits.
constexpr std::uint64_t kMaxTokenJsonBytes = 256'000'000;

std::shared_ptr<const MappedFile> openSidecar(const std::string& path)
{
    auto file = MappedFile::open(path);
    if (file->size() > ActivationImport::kMaxSidecarBytes)
        throw InputError(path + ": larger than 1 GiB");
    return file;
}

std::string_view textOf(const MappedFile& file)
{
    return {reinterpret_cast<const char*>(file.data()), std::size_t(file.size())};
}

struct TokenData {
    std::vector<std::string> tokens;
    std::vector<std::int64_t> sequenceIds;
};

// A sidecar: JSON (a list of strings, or {"tokens": [...], "sequence_ids": [...]}), text (one token per line) or
// a .npy string array.
TokenData loadTokenSidecar(const std::string& path)
{
    TokenData data;
    const std::string ext = std::filesystem::path(path).extension().string();
    if (ext == ".json") {
        const nlohmann::json j =
            JsonReader::parse(textOf(*openSidecar(path)), path, "", JsonLimits::withMaxBytes(kMaxTokenJsonBytes));
        const nlohmann::json* list = &j;
        if (j.is_object()) {
            const auto it = j.find("tokens");
            if (it == j.end())
                throw InputError(path + ": the JSON object has no \"tokens\" list");
            list = &*it;
            const auto ids = j.find("sequence_ids");
            if (ids != j.end() && !ids->is_null()) {
                if (!ids->is_array())
                    throw InputError(path + ": \"sequence_ids\" must be a list of integers");
                for (std::size_t i = 0; i < ids->size(); ++i) {
                    if (!(*ids)[i].is_number_integer())
                        throw InputError(path + ": sequence_ids[" + std::to_string(i) + "] is not an integer");
                    data.sequenceIds.push_back((*ids)[i].get<std::int64_t>());
                }
            }
        }
        if (!list->is_array())
            throw InputError(path + ": must hold a JSON list of token strings (or {\"tokens\": [...]})");
        data.tokens.reserve(list->size());
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (!(*list)[i].is_string())
                throw InputError(path + ": token " + std::to_string(i) + " is not a string");
            data.tokens.push_back((*list)[i].get<std::string>());
        }
    } else if (ext == ".npy") {
        NpyReadOptions options;
        options.unicodeAsU32 = true;
        auto file = MappedFile::open(path);
        const NpyHeader header = NpyFile::parseHeader(file->data(), file->size(), path, options);
        if (!header.unicodeChars)
            throw InputError(path + ": holds " + header.descr + " numbers, not token strings (save np.array(tokens))");
        data.tokens = ActivationImport::decodeUtf32Strings(NpyFile::parse(std::move(file), options), path);
    } else {
        std::string text(textOf(*openSidecar(path)));
        if (!isUtf8(text))
            throw InputError(path + ": not valid UTF-8 text");
        std::istringstream lines(text);
        std::string line;
        while (std::getline(lines, line)) {
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            data.tokens.push_back(std::move(line));
        }
    }
    return data;
}

bool isStringArray(const ArrayFile& file, const std::string& name, NpyReadOptions options)
{
    if (file.format() != ArrayFile::Format::Npz || !file.find(name))
        return false;
    options.unicodeAsU32 = true;
    return NpzArchive::open(file.path()).header(name, options).unicodeChars > 0;
}

void loadTokens(const ArrayFile& file, const ActivationImportOptions& options, const ArrayFile::Entry& entry,
                std::uint64_t rows, ImportedActivations& result)
{
    const std::string& path = file.path();
    TokenData data;
    std::string source = options.tokensName;
    if (source.empty()) {
        std::error_code error;
        if (isStringArray(file, "tokens", options.npy))
            source = "tokens";
        else if (std::filesystem::is_regular_file(path + ".tokens.json", error))
            source = path + ".tokens.json";
        else if (std::filesystem::is_regular_file(path + ".tokens.txt", error))
            source = path + ".tokens.txt";
        else
            return;
    }
    if (file.find(source)) {
        if (!isStringArray(file, source, options.npy))
            throw InputError(path + ": array " + FileText::quoted(source) +
                             " does not hold strings (save the tokens as np.array(list_of_str))");
        data.tokens = ActivationImport::decodeUtf32Strings(file.array(source), path + ": tokens " + FileText::quoted(source));
    } else {
        std::error_code error;
        if (!std::filesystem::is_regular_file(source, error))
            throw InputError(path + ": no token array or file " + FileText::quoted(source) + " (the file holds " +
                             listEntries(file.entries()) + ")");
        data = loadTokenSidecar(source);
    }
    if (data.tokens.size() != rows)
        throw InputError(source + ": " + std::to_string(data.tokens.size()) + " token strings for " +
                         std::to_string(rows) + " activation rows of " + path + " (one per row expected)");
    // Sequence ids: named, or "sequence_ids" in the file, or from the sidecar, or [B, T, d] rows, or one stream.
    std::string idsName = options.sequenceIdsName;
    if (idsName.empty() && data.sequenceIds.empty() && file.find("sequence_ids"))
        idsName = "sequence_ids";
    if (!idsName.empty()) {
        const std::string where = path + ": sequence ids " + FileText::quoted(idsName);
        const ArrayData ids = file.array(idsName);
        if (ids.elementCount() != rows)
            throw InputError(where + " have " + std::to_string(ids.elementCount()) + " entries for " +
                             std::to_string(rows) + " rows");
        data.sequenceIds = ids.toInt64Vector(where);
    } else if (!data.sequenceIds.empty()) {
        if (data.sequenceIds.size() != rows)
            throw InputError(source + ": " + std::to_string(data.sequenceIds.size()) + " sequence ids for " +
                             std::to_string(rows) + " rows");
    } else if (entry.shape.size() >= 3) {
        const std::uint64_t t = entry.shape[entry.shape.size() - 2];
        data.sequenceIds.resize(std::size_t(rows));
        for (std::uint64_t r = 0; r < rows; ++r)
            data.sequenceIds[std::size_t(r)] = std::int64_t(r / t);
    } else {
        data.sequenceIds.assign(std::size_t(rows), 0);
    }
    result.tokens = std::move(data.tokens);
    result.sequenceIds = std::move(data.sequenceIds);
    result.tokensSource = source;
}

} // namespace

std::vector<std::string> ActivationImport::decodeUtf32Strings(const ArrayData& array, const std::string& where)
{
    if (array.dtype() != DType::U32 || array.rank() < 1 || array.fortranOrder())
        throw InputError(where + ": not a string array");
    const std::uint64_t k = array.shape().back();
    const std::uint64_t count = k ? array.elementCount() / k : 0;
    std::vector<std::string> strings;
    strings.reserve(std::size_t(count));
    const std::uint8_t* bytes = array.data();
    for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t length = k;
        auto codeAt = [&](std::uint64_t c) {
            const std::uint8_t* p = bytes + 4 * (i * k + c);
            return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
                   (std::uint32_t(p[3]) << 24);
        };
        while (length > 0 && codeAt(length - 1) == 0)
            --length; // NumPy pads with NULs
        std::string s;
        for (std::uint64_t c = 0; c < length; ++c) {
            const std::uint32_t code = codeAt(c);
            if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                throw InputError(where + ": string " + std::to_string(i) + " holds an invalid code point (" +
                                 std::to_string(code) + ")");
            appendUtf8(s, code);
        }
        strings.push_back(std::move(s));
    }
    return strings;
}

ImportedActivations ActivationImport::load(const std::string& path, const ActivationImportOptions& options,
                                           const ProgressReporter* progress)
{
    // String arrays (tokens) stay listable beside the numbers; they are never activation candidates.
    NpyReadOptions npy = options.npy;
    npy.unicodeAsU32 = true;
    const ArrayFile file = ArrayFile::open(path, npy);
    std::string name = options.arrayName;
    if (name.empty()) {
        const auto found = candidates(file);
        if (found.empty())
            throw InputError(path + ": no [N, d] float array to use as activations (the file holds " +
                             (file.entries().empty() ? std::string("no arrays") : listEntries(file.entries())) + ")");
        if (found.size() > 1)
            throw InputError(path + ": holds several arrays that could be activations (" + listEntries(found) +
                             "): choose one with --array NAME");
        name = found.front().name;
    }
    const ArrayFile::Entry* entry = file.find(name);
    if (!entry)
        throw InputError(path + ": no array " + FileText::quoted(name) + " (the file holds " +
                         listEntries(file.entries()) + ")");
    const std::string where = path + ": array " + FileText::quoted(name);
    if (entry->shape.size() < 2)
        throw InputError(where + " has shape " + ArrayData::shapeText(entry->shape) +
                         " (activations need [N, d]: one row per input)");
    if (entry->dtype == DType::Bool)
        throw InputError(where + " is boolean, not numeric activations");
    if (entry->dtype == DType::U32 && isStringArray(file, name, options.npy))
        throw InputError(where + " holds strings, not numeric activations");
    const std::uint64_t d = entry->shape.back();
    const auto total = ArrayData::elementCount(entry->shape);
    const std::uint64_t rows = d && total ? *total / d : 0;
    if (d == 0 || rows == 0)
        throw InputError(where + " is empty (shape " + ArrayData::shapeText(entry->shape) + ")");
    if (d > 65536)
        throw InputError(where + " has " + std::to_string(d) + " columns (at most 65536 activation dimensions)");
    if (rows > std::uint64_t(std::numeric_limits<int>::max()))
        throw InputError(where + " has " + std::to_string(rows) + " rows (at most 2147483647)");

    ImportedActivations result;
    result.path = path;
    result.arrayName = name;
    result.format = file.format();
    result.shape = entry->shape;
    result.dtype = entry->dtype;
    // Row-major [N, d] is exactly the column-major d x N layout EvaluationSet uses. Converted in place from the
    // file (or chunk by chunk from an npz member): the float matrix is the only full-size copy.
    MemoryBudget::require(where, "the activations as float", rows * d * sizeof(float));
    result.set.activations.resize(Eigen::Index(d), Eigen::Index(rows));
    file.toFloat(name, result.set.activations.data(), progress);
    if (!result.set.activations.allFinite()) {
        for (Eigen::Index r = 0; r < result.set.activations.cols(); ++r)
            for (Eigen::Index c = 0; c < result.set.activations.rows(); ++c)
                if (!std::isfinite(result.set.activations(c, r)))
                    throw InputError(where + " has a NaN or infinite value (row " + std::to_string(r) + ", column " +
                                     std::to_string(c) + ")");
    }
    if (!options.labelsName.empty()) {
        result.labelsName = options.labelsName;
        result.set.labels = loadLabels(file, options.labelsName, rows);
        for (int label : result.set.labels)
            result.set.classCount = std::max(result.set.classCount, label + 1);
    }
    loadTokens(file, options, *entry, rows, result);
    return result;
}

} // namespace featurescope

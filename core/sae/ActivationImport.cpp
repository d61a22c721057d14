#include "sae/ActivationImport.h"

#include "common/InputError.h"
#include "io/FileText.h"

#include <cmath>
#include <filesystem>
#include <limits>

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

} // namespace

ImportedActivations ActivationImport::load(const std::string& path, const ActivationImportOptions& options,
                                           const ProgressReporter* progress)
{
    const ArrayFile file = ArrayFile::open(path, options.npy);
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
    const ArrayData a = file.array(name, progress);
    // Row-major [N, d] is exactly the column-major d x N layout EvaluationSet uses.
    result.set.activations.resize(Eigen::Index(d), Eigen::Index(rows));
    a.toFloat(result.set.activations.data(), progress);
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
    return result;
}

} // namespace featurescope

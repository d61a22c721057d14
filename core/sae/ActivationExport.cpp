#include "sae/ActivationExport.h"

#include "common/InputError.h"
#include "io/NpyFile.h"
#include "io/NpzArchive.h"
#include "io/SafetensorsFile.h"

namespace featurescope {

namespace {
bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
} // namespace

void ActivationExport::write(const std::string& path, const EvaluationSet& set)
{
    const std::uint64_t n = std::uint64_t(set.size()), d = std::uint64_t(set.activations.rows());
    // Column-major d x N is row-major [N, d].
    const ArrayData activations = ArrayData::fromFloats({n, d}, set.activations.data());
    if (endsWith(path, ".npy")) {
        NpyFile::write(path, activations);
        return;
    }
    std::vector<std::pair<std::string, ArrayData>> arrays = {{"activations", activations}};
    if (set.hasLabels()) {
        const std::vector<std::int64_t> labels(set.labels.begin(), set.labels.end());
        arrays.push_back({"labels", ArrayData::fromInts({n}, labels.data())});
    }
    if (set.hasImages())
        arrays.push_back({"images", ArrayData(DType::U8, {n, std::uint64_t(set.imageRows), std::uint64_t(set.imageCols)},
                                              set.images)});
    if (endsWith(path, ".npz")) {
        std::vector<NpzArchive::NamedArray> named;
        for (auto& a : arrays)
            named.push_back({a.first, a.second});
        NpzArchive::write(path, named, true);
    } else if (endsWith(path, ".safetensors")) {
        std::vector<SafetensorsFile::NamedArray> named;
        for (auto& a : arrays)
            named.push_back({a.first, a.second});
        SafetensorsFile::write(path, named);
    } else {
        throw InputError(path + ": unknown extension (expected .npy, .npz or .safetensors)");
    }
}

} // namespace featurescope

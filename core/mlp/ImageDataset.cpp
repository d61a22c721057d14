#include "mlp/ImageDataset.h"

#include "common/InputError.h"
#include "io/IdxReader.h"

#include <algorithm>
#include <filesystem>

namespace featurescope {

namespace {
std::string findFile(const std::string& directory, const std::string& stem)
{
    for (const char* suffix : {".gz", ""}) {
        const std::filesystem::path path = std::filesystem::path(directory) / (stem + suffix);
        std::error_code error;
        if (std::filesystem::is_regular_file(path, error))
            return path.string();
    }
    return {};
}
} // namespace

ImageDataset ImageDataset::loadIdx(const std::string& imagesPath, const std::string& labelsPath)
{
    // Headers first: a mismatched pair is refused before either payload is inflated.
    const auto imageDims = IdxReader::readDims(imagesPath);
    const auto labelDims = IdxReader::readDims(labelsPath);
    if (imageDims.size() == 3 && labelDims.size() == 1 && imageDims[0] != labelDims[0])
        throw InputError(labelsPath + ": " + std::to_string(labelDims[0]) + " labels for " +
                         std::to_string(imageDims[0]) + " images in " + imagesPath);
    IdxImages images = IdxReader::readImages(imagesPath);
    std::vector<std::uint8_t> labels = IdxReader::readLabels(labelsPath);
    if (std::size_t(images.count) != labels.size())
        throw InputError(labelsPath + ": " + std::to_string(labels.size()) + " labels for " +
                         std::to_string(images.count) + " images in " + imagesPath);
    ImageDataset set;
    set.count = images.count;
    set.rows = images.rows;
    set.cols = images.cols;
    set.pixels = std::move(images.pixels);
    set.labels = std::move(labels);
    set.imagesPath = imagesPath;
    set.labelsPath = labelsPath;
    set.classCount = set.labels.empty() ? 0 : int(*std::max_element(set.labels.begin(), set.labels.end())) + 1;
    return set;
}

bool ImageDataset::hasSplit(const std::string& directory, const std::string& split)
{
    return !findFile(directory, split + "-images-idx3-ubyte").empty() &&
           !findFile(directory, split + "-labels-idx1-ubyte").empty();
}

ImageDataset ImageDataset::loadSplit(const std::string& directory, const std::string& split)
{
    const std::string images = findFile(directory, split + "-images-idx3-ubyte");
    const std::string labels = findFile(directory, split + "-labels-idx1-ubyte");
    if (images.empty() || labels.empty())
        throw InputError(directory + ": no " + split + "-images-idx3-ubyte[.gz] and " + split +
                         "-labels-idx1-ubyte[.gz] here (install the Debian package dataset-fashion-mnist or pass "
                         "--data-dir)");
    return loadIdx(images, labels);
}

} // namespace featurescope

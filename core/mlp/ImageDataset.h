#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

// A labelled image set in the MNIST family's layout (u8 pixels, row-major, one image after another).
struct ImageDataset {
    int count = 0;
    int rows = 0;
    int cols = 0;
    int classCount = 0;
    std::vector<std::uint8_t> pixels; // count * rows * cols
    std::vector<std::uint8_t> labels; // count
    std::string imagesPath; // where they came from, for messages
    std::string labelsPath;

    int pixelCount() const { return rows * cols; }
    // "<imagesPath>: " when the set came from a file, else "".
    std::string messagePrefix() const { return imagesPath.empty() ? std::string() : imagesPath + ": "; }
    const std::uint8_t* image(int index) const { return pixels.data() + std::size_t(index) * pixelCount(); }

    // Images and labels from two IDX files (gzipped or not). Throws InputError (names the file and the problem).
    static ImageDataset loadIdx(const std::string& imagesPath, const std::string& labelsPath);
    // `split` is "train" or "t10k": DIR/SPLIT-images-idx3-ubyte[.gz] and DIR/SPLIT-labels-idx1-ubyte[.gz].
    static ImageDataset loadSplit(const std::string& directory, const std::string& split);
    // Where the Debian package dataset-fashion-mnist installs the files.
    static std::string defaultFashionMnistDirectory() { return "/usr/share/datasets/fashion-mnist"; }
    // True when both files of the split exist in `directory`.
    static bool hasSplit(const std::string& directory, const std::string& split);
};

} // namespace featurescope

#pragma once

#include "io/ArrayFile.h"
#include "sae/ActivationSource.h"

#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

struct ActivationImportOptions {
    // The [N, d] array to use; empty picks the only float array of rank >= 2 (several candidates and no name is an
    // error that lists them). Leading dimensions are flattened: [B, T, d] gives N = B·T rows.
    std::string arrayName;
    // Optional class labels, one integer per row: the name of an array in the same file, or the path of another
    // .npy/.npz/.safetensors file holding exactly one array (or "path:name"). Empty: no labels.
    std::string labelsName;
    NpyReadOptions npy;
};

struct ImportedActivations {
    EvaluationSet set; // activations d x N (one row of the file per column), labels when asked for
    std::string path;
    std::string arrayName;
    std::string labelsName;
    ArrayFile::Format format = ArrayFile::Format::Npy;
    ArrayData::Shape shape; // as stored
    DType dtype = DType::F32;
};

// Imports recorded activations ([N, d] arrays of any float type, or integers when named explicitly) from .npy, .npz
// or .safetensors files. Every problem throws InputError with one line naming the file: a missing or ambiguous
// array (the candidates are listed, with the option to choose one), a wrong rank or dtype, NaN/inf values, labels
// that are not integers in [0, 1e6) or do not have one per row. Cancellable through `progress` (LoadCancelled).
class ActivationImport {
public:
    static constexpr int kMaxLabel = 1000000;

    // Arrays that can serve as activations without being named: float dtype, rank >= 2, non-empty.
    static std::vector<ArrayFile::Entry> candidates(const ArrayFile& file);
    static ImportedActivations load(const std::string& path, const ActivationImportOptions& options = {},
                                    const ProgressReporter* progress = nullptr);
};

} // namespace featurescope

#pragma once

#include "sae/ActivationSource.h"

#include <string>

namespace featurescope {

// Writes an evaluation set (activations, and labels and images when known) for Python users, chosen by extension:
//   .npy          activations [N, d] f32 only
//   .npz          activations [N, d] f32, labels [N] i64, images [N, rows, cols] u8 (np.load(path)["activations"])
//   .safetensors  the same names as tensors
// Codes can be written the same way (pass them as the activations). Atomic; throws InputError on a write error or an
// unknown extension.
class ActivationExport {
public:
    static void write(const std::string& path, const EvaluationSet& set);
};

} // namespace featurescope

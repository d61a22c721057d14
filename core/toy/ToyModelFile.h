#pragma once

#include "toy/ToyModel.h"
#include "toy/TrainingConfig.h"

#include <string>

namespace featurescope {

// Trained toy models as safetensors, for PyTorch users (torch.load-free: safetensors.torch.load_file(path)):
//   W       F32 [instances, m, n]  W[i] is instance i's m x n matrix; column k = feature k's hidden direction
//   b       F32 [instances, n]     output bias b_final
//   decoder F32 [instances, m, n]  only for the untied model (x' = ReLU(decoderᵀ h + b))
// and __metadata__ {"format": "featurescope.tms/1", "config": JSON of the model (n, m, model, importance_decay,
// feature_probability [instances][n], importance [instances][n]), "training": JSON of the training config, when
// known}. read() checks everything against the config and throws InputError naming the file.
class ToyModelFile {
public:
    static constexpr const char* kFormat = "featurescope.tms/1";

    static void write(const std::string& path, const ToyModel& model, const TrainingConfig* training = nullptr);
    static ToyModel read(const std::string& path);
};

} // namespace featurescope

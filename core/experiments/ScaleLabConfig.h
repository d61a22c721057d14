#pragma once

#include "scale/ScaleInvarianceModels.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

class SettingsReader;

// The scale-invariance lab as an experiment: which model is measured and at which scales. The `scale` command and
// the panel's scale-invariance tab read and write this one spelling:
// {"model": "toy"|"toy-untied"|"fashion-mlp"|"file", "scales": [...], "steps", "epochs", "seed", "data_dir",
//  "weights", "tensor", "transpose"}.
struct ScaleLabConfig {
    enum class Model { TiedToy, UntiedToy, FashionMlp, File };

    Model model = Model::TiedToy;
    std::vector<double> scales{0.25, 0.5, 1.0, 2.0, 4.0};
    int steps = ScaleInvarianceModels::kDefaultToySteps;   // toy models
    int epochs = ScaleInvarianceModels::kDefaultMlpEpochs; // Fashion-MNIST MLP
    std::uint64_t seed = 0;
    std::string dataDirectory; // Fashion-MNIST IDX files; empty = the Debian package's folder
    std::string weights;       // File: a .safetensors file
    std::string tensor;        // File: a rank-2 tensor [m, n] (columns are features)
    bool transpose = false;    // File: the tensor is [n, m]

    static constexpr std::size_t kMaxScales = 1000;
    static constexpr double kMinScale = 1e-6;
    static constexpr double kMaxScale = 1e6;

    bool isToy() const { return model == Model::TiedToy || model == Model::UntiedToy; }

    static std::string modelName(Model model); // "toy", "toy-untied", "fashion-mlp", "file"
    // Also accepts the panel's older names "tied-toy" and "untied-toy"; throws InputError naming the choices.
    static Model modelFromName(const std::string& name);

    // Throws InputError with one line when a value is out of range. A File model may still lack its file (the panel
    // saves the choice before the user picks one); the command line checks that separately.
    void validate() const;

    // Reads to_json's spelling, and sessions written before it ("tied-toy", "file" for the weights path); keys that
    // older sessions did not store take their defaults.
    static ScaleLabConfig fromJson(const SettingsReader& settings);
};

void to_json(nlohmann::json& j, const ScaleLabConfig& config);

} // namespace featurescope

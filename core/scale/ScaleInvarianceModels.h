#pragma once

#include "common/ProgressReporter.h"
#include "scale/ScaleInvarianceLab.h"
#include "mlp/ImageDataset.h"
#include "mlp/MlpTrainer.h"
#include "toy/ToyTrainingResult.h"

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

// The models the scale-invariance lab is shown on, prepared the same way for the CLI (`featurescope scale`) and the
// GUI: a trained tied toy model, a trained untied toy model, the Fashion-MNIST MLP trained without biases, and a
// matrix read from a safetensors file.
class ScaleInvarianceModels {
public:
    static constexpr int kDefaultToySteps = 10000;
    static constexpr int kToyEvaluationSamples = 16384;
    static constexpr int kDefaultMlpEpochs = 2;

    // Tied: the pentagon (n = 5, m = 2, ReLU output, p = 0.05, uniform importance), the paper's first picture.
    // Untied: h = ReLU(W x), x' = ReLU(Dᵀh + b) with target |x| (n = 10, m = 5, p = 0.1).
    static ToyModelConfig toyConfig(bool tied);
    static TrainingConfig toyTraining(int steps, std::uint64_t seed);
    // Trains the preset (cancellable through `progress`: check the result's status).
    static ToyTrainingResult trainToy(bool tied, int steps, std::uint64_t seed, ProgressReporter* progress = nullptr);
    // `samples` fresh inputs of the model's data distribution (instance 0), from its own seed stream.
    static Eigen::MatrixXf toyEvaluationBatch(const ToyModelConfig& config, int samples, std::uint64_t seed);
    // The lab for instance 0 of a trained toy model, on a fixed evaluation batch drawn from `seed`.
    static ScaleInvarianceLab toyLab(const ToyModel& model, std::uint64_t seed,
                                     int samples = kToyEvaluationSamples);

    // The 784 -> 128 -> 10 MLP with biases off (MlpConfig::biases = false), trained on `train`.
    static MlpTrainingResult trainBiasFreeMlp(const ImageDataset& train, int epochs, std::uint64_t seed,
                                              ProgressReporter* progress = nullptr);
    // The lab of a classifier on a labelled image set (pixels / 255 as inputs). Throws InputError on a size mismatch.
    static ScaleInvarianceLab classifierLab(const MlpClassifier& model, const ImageDataset& images);

    // A rank-2 floating-point tensor of a safetensors file as W (rows = dimensions m, columns = features n, as a
    // PyTorch nn.Linear weight [out, in] is stored); `transpose` swaps the roles. Throws InputError (naming the file)
    // for a missing tensor, a rank other than 2, an integer dtype or more than kMaxMatrixElements entries.
    static constexpr std::uint64_t kMaxMatrixElements = 64'000'000;
    static Eigen::MatrixXf loadSafetensorsMatrix(const std::string& path, const std::string& tensor, bool transpose);
    // Names of the file's rank-2 floating-point tensors (the ones loadSafetensorsMatrix accepts), in file order.
    static std::vector<std::string> safetensorsMatrixNames(const std::string& path);
};

} // namespace featurescope

#pragma once

#include "common/ProgressReporter.h"
#include "mlp/ImageDataset.h"
#include "mlp/MlpClassifier.h"
#include "common/TrainingStatus.h"

#include <cstdint>
#include <string>
#include <vector>

namespace featurescope {

struct MlpTrainingConfig {
    int epochs = 4;
    int batch = 128;
    double learningRate = 1e-3;
    std::uint64_t seed = 0;
    void validate() const; // throws InputError
};

struct MlpTrainingResult {
    MlpClassifier model;
    std::vector<float> lossHistory; // mean cross-entropy of each batch
    int stepsDone = 0;
    double seconds = 0.0;
    TrainingStatus status = TrainingStatus::Running;
    std::string message;
};

// Trains an MlpClassifier with Adam on softmax cross-entropy, shuffling the training set every epoch (Fisher–Yates
// with featurescope::Rng, so a seed gives the same model). Cancellable; a non-finite loss stops training and keeps
// the last good weights.
class MlpTrainer {
public:
    static MlpTrainingResult train(const MlpConfig& model, const MlpTrainingConfig& training,
                                   const ImageDataset& images, ProgressReporter* progress = nullptr);
};

} // namespace featurescope

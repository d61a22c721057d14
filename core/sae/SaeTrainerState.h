#pragma once

#include "math/Rng.h"
#include "math/UniformStream.h"
#include "sae/SparseAutoencoder.h"

#include <cstdint>
#include <utility>
#include <vector>

namespace featurescope {

// Everything a SaeTrainer carries from one step to the next, so that training N steps, saving this, restoring it into
// a fresh trainer of the same configuration and training N more gives bit for bit the run of 2N steps (SaeCheckpoint
// writes it to disk). Scratch space (batches, kernels' work arrays) is not part of it.
struct SaeTrainerState {
    int stepsDone = 0;
    int sparseSteps = 0;
    double trainingSeconds = 0.0;
    SparseAutoencoder::ParameterVector parameters;
    float inputScale = 1.0f;
    double batchThreshold = 0.0; // BatchTopK / Matryoshka: θ's running average
    std::vector<float> adamFirstMoment, adamSecondMoment;
    long long adamSteps = 0;
    Rng::State rng;
    UniformStream::State uniform;
    std::vector<int> lastFire;                 // per latent: the step count after which it last fired
    std::vector<std::int64_t> windowFires;     // the health window's fires per latent (empty before it starts)
    std::int64_t windowInputs = 0;
    int windowSteps = 0;
    std::vector<float> lossHistory, mseHistory, l0History, auxHistory;
    std::vector<int> auxDeadHistory;
    std::vector<std::pair<int, int>> resampleEvents; // (step, resampled)
};

} // namespace featurescope

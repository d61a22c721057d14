#pragma once

#include "common/ProgressReporter.h"
#include "common/TaskPool.h"
#include "math/AdamOptimizer.h"
#include "sae/ActivationSource.h"
#include "sae/SaeConfig.h"
#include "sae/SaeEvaluator.h" // SaeTrainingActivity
#include "sae/SaeLossKernel.h"
#include "sae/SaeTrainerState.h"
#include "sae/SparseAutoencoder.h"
#include "toy/ToyTrainingResult.h" // TrainingStatus

#include <memory>
#include <string>
#include <vector>

namespace featurescope {

struct SaeResampleEvent {
    int step = 0;
    int resampled = 0;
};

// Trains a SparseAutoencoder on batches from an ActivationSource with Adam. Per step: draw a batch (scaled so that
// E‖x‖ = √d when the config normalises inputs), loss and gradient (SaeLossKernel), for unit-norm variants remove the
// gradient component parallel to each decoder column, Adam, renormalise the decoder columns. After the configured
// steps, features silent for `deadWindow` steps are resampled (docs/ARCHITECTURE.md §5) and their Adam state reset.
// TopK adds the AuxK loss over the latents silent for more than `deadWindow` steps (SaeLossKernel).
// Resumable: run() may be called repeatedly with a step limit (the GUI trains in chunks). Deterministic for a seed.
// A non-finite loss or gradient stops training (status Diverged) before the update, keeping the last good state.
class SaeTrainer {
public:
    // The source must outlive the trainer. Throws InputError on a bad configuration or a dimension mismatch.
    SaeTrainer(const SaeConfig& config, const SaeTrainingConfig& training, const ActivationSource& source);

    TrainingStatus run(ProgressReporter* progress = nullptr, int stepLimit = -1);

    int stepsDone() const { return m_stepsDone; }
    TrainingStatus status() const { return m_status; }
    const std::string& message() const { return m_message; }
    const SparseAutoencoder& autoencoder() const { return m_sae; }
    SparseAutoencoder& autoencoder() { return m_sae; }
    const SaeConfig& config() const { return m_sae.config(); }
    const SaeTrainingConfig& training() const { return m_training; }
    const ActivationSource& source() const { return m_source; }

    const std::vector<float>& lossHistory() const { return m_lossHistory; }
    const std::vector<float>& mseHistory() const { return m_mseHistory; }
    const std::vector<float>& l0History() const { return m_l0History; }
    // TopK with AuxK: the AuxK loss and the number of dead latents it used, per step (empty otherwise).
    const std::vector<float>& auxLossHistory() const { return m_auxHistory; }
    const std::vector<int>& auxDeadHistory() const { return m_auxDeadHistory; }
    // Training steps per second of wall time spent in run() (batch generation included).
    double stepsPerSecond() const;
    double denseFlopsPerStep() const;
    // Fraction of the steps done that took the sparse path.
    double sparseStepFraction() const;
    // λ in force at the next step (the 2024 variant warms it up; see SaeSchedule).
    double currentL1() const;
    // The learning rate of the next step (SaeSchedule).
    double currentLearningRate() const;

    // How often each latent fired over the last `deadWindow` steps of training (all steps when there are fewer), or
    // the part of that window done so far; empty before the window starts.
    SaeTrainingActivity activity() const;

    // Features that have not fired in the last `window` steps.
    std::vector<int> deadFeatures(int window) const;
    // Resamples the features dead over `window` steps now; returns how many.
    int resampleDeadFeatures(int window);
    const std::vector<SaeResampleEvent>& resampleEvents() const { return m_resampleEvents; }

    // Checkpoints: the state after stepsDone() steps, and back (throws InputError naming `where` when the state does
    // not fit this trainer's configuration: sizes, step counts beyond the configured steps, non-finite weights).
    SaeTrainerState state() const;
    void restore(const SaeTrainerState& state, const std::string& where);

private:
    bool step();
    // Draws a batch into m_X as the SAE sees it (scaled, or normalised per input with the kernels' targets set).
    void drawBatch(int count);
    // Loss and gradient (into m_gradient, fire counts into m_fireCount) of the batch in m_X, split over threads.
    SaeLossTerms evaluateBatch();

    const ActivationSource& m_source;
    SaeTrainingConfig m_training;
    SparseAutoencoder m_sae;
    SaeLossKernel m_kernel;
    AdamOptimizer m_adam;
    ActivationSource::Random m_random;
    Eigen::MatrixXf m_X;
    SparseAutoencoder::ParameterVector m_gradient;
    std::vector<int> m_fireCount;
    // Data-parallel parts beyond the first (threads > 1): their inputs, kernels and gradients.
    std::vector<Eigen::MatrixXf> m_parts;
    std::vector<std::unique_ptr<SaeLossKernel>> m_partKernels;
    std::vector<SparseAutoencoder::ParameterVector> m_partGradients;
    std::unique_ptr<TaskPool> m_pool;
    std::vector<int> m_lastFire; // step count after which each feature last fired (0: not yet)
    std::vector<std::int64_t> m_windowFires; // fires per latent over the final window of steps
    std::int64_t m_windowInputs = 0;
    int m_windowSteps = 0;
    double m_threshold = 0.0; // BatchTopK: θ's running average (copied into the autoencoder as float)
    Eigen::MatrixXf m_target;    // per-input normalisation: the decoder's target (SaeInputNormalizer)
    Eigen::VectorXf m_weights;   // and each input's weight
    std::vector<int> m_auxDead;  // AuxK: latents silent for more than deadWindow steps, refreshed every step
    std::vector<float> m_lossHistory, m_mseHistory, m_l0History, m_auxHistory;
    std::vector<int> m_auxDeadHistory;
    std::vector<SaeResampleEvent> m_resampleEvents;
    int m_stepsDone = 0;
    int m_sparseSteps = 0;
    double m_trainingSeconds = 0.0;
    TrainingStatus m_status = TrainingStatus::Running;
    std::string m_message;
};

} // namespace featurescope

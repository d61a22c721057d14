#pragma once

#include "common/TrainingStatus.h"
#include "experiments/SaeExperimentConfig.h"
#include "experiments/SaeSourceFactory.h"
#include "sae/SaeEvaluator.h"
#include "sae/SaeTrainer.h"
#include "sae/SparseAutoencoder.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace featurescope {

class ProgressReporter;

// What one SAE experiment produced: the trained (or given) SAE, its evaluation on the final evaluation set, and how
// training went.
struct SaeRunResult {
    SaeSource source;
    std::shared_ptr<const SparseAutoencoder> sae;
    std::shared_ptr<const SaeEvaluator> evaluator; // on the final evaluation set, against the unit true features
    Eigen::MatrixXf truth;                         // unit-norm true feature directions, or empty
    TrainingStatus status = TrainingStatus::Finished;
    std::string message; // why training stopped early
    int stepsDone = 0;
    int totalSteps = 0;
    double stepsPerSecond = 0.0;
    double denseFlopsPerStep = 0.0;
    double sparseStepFraction = 0.0;
    std::vector<float> lossHistory;
    std::vector<float> mseHistory;
    std::vector<SaeResampleEvent> resampleEvents;
    SaeTrainingActivity activity; // fires per latent over the final training window (health metrics)
    int auxDeadAtEnd = -1; // TopK with AuxK: latents the AuxK loss counted as dead at the last step (−1 otherwise)

    // The keys of `featurescope sae --json`: the config, the source's facts, training and the metrics.
    nlohmann::json toJson(const SaeExperimentConfig& config) const;
};

// One SAE experiment, defined once for the GUI and the command line: build the source (SaeSourceFactory), train the
// SAE in chunks of about 25 ms (an observer may look at the trainer between chunks, e.g. to publish live metrics),
// and evaluate it on the final evaluation set drawn from the named stream.
//
// Cancelling `progress` while the source is built throws Cancelled; while the SAE trains it stops training, and the
// SAE trained so far is evaluated and returned with status Cancelled.
class SaeExperiment {
public:
    using ChunkObserver = std::function<void(const SaeTrainer& trainer, const SaeSource& source)>;

    static SaeRunResult train(const SaeExperimentConfig& config, SaeSourceFactory& sources,
                              const ProgressReporter& progress, const ChunkObserver& observer = {});
    // No training: evaluates `sae` (restored from a session, or opened from a SAELens folder) on the config's source
    // exactly as train() evaluates a trained one.
    // `activity`: the training window the SAE was last trained over, when known (a restored session), so that the
    // health metrics are counted as they were after training.
    static SaeRunResult evaluate(const SaeExperimentConfig& config, SaeSourceFactory& sources,
                                 std::shared_ptr<const SparseAutoencoder> sae, const ProgressReporter& progress,
                                 SaeTrainingActivity activity = {});

    // The health thresholds of `config` for `source` (the automatic dense threshold resolved), and the training
    // window to count them over (empty: the evaluation set).
    static SaeEvaluationOptions evaluationOptions(const SaeExperimentConfig& config, const ActivationSource& source,
                                                  SaeTrainingActivity training = {});
    static EvaluationSet finalEvaluationSet(const ActivationSource& source, const SaeExperimentConfig& config);
    static EvaluationSet liveEvaluationSet(const ActivationSource& source, const SaeExperimentConfig& config);
    // The source's true feature directions scaled to unit norm (empty without ground truth).
    static Eigen::MatrixXf unitTruth(const ActivationSource& source);
    // Columns scaled to unit norm; columns of norm ~0 become 0.
    static Eigen::MatrixXf unitColumns(Eigen::MatrixXf m);
};

} // namespace featurescope

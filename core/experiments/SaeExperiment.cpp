#include "experiments/SaeExperiment.h"

#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/RngStreams.h"
#include "math/Rng.h"
#include "sae/SaeCheckpoint.h"
#include "sae/SaeSchedule.h"
#include "sae/SaeMetricsExport.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace featurescope {

namespace {
using Clock = std::chrono::steady_clock;
}

EvaluationSet SaeExperiment::finalEvaluationSet(const ActivationSource& source, const SaeExperimentConfig& config)
{
    return source.evaluationSet(config.evaluationInputs, Rng::deriveSeed(config.training.seed, RngStream::kFinalEvaluation));
}

EvaluationSet SaeExperiment::liveEvaluationSet(const ActivationSource& source, const SaeExperimentConfig& config)
{
    return source.evaluationSet(SaeExperimentConfig::kLiveInputs,
                                Rng::deriveSeed(config.training.seed, RngStream::kLiveEvaluation));
}

SaeEvaluationOptions SaeExperiment::evaluationOptions(const SaeExperimentConfig& config, const ActivationSource& source,
                                                     SaeTrainingActivity training)
{
    SaeEvaluationOptions options;
    const double densest = source.densestTrueFeatureRate();
    // Relative to the data: the densest true feature's rate p plus three standard errors of a rate counted over the
    // health inputs (the training window, else the evaluation set), so that a latent firing at its feature's true
    // rate is not called dense for sampling noise (a tied SAE's parent latent on the absorption toy fired on 0.25036
    // of 512,000 inputs for p = 0.25).
    const double inputs = !training.empty() ? double(training.inputs) : double(std::max(config.evaluationInputs, 1));
    options.denseThreshold = config.denseThreshold > 0.0 ? config.denseThreshold
                             : densest > 0.0 ? std::min(1.0, densest + 3.0 * std::sqrt(densest * (1.0 - densest) / inputs))
                                             : SaeExperimentConfig::kDefaultDenseThreshold;
    options.ultraRareThreshold = config.ultraRareThreshold;
    options.hierarchy = source.hierarchy();
    options.training = std::move(training);
    return options;
}

Eigen::MatrixXf SaeExperiment::unitTruth(const ActivationSource& source) { return unitColumns(source.groundTruth()); }

Eigen::MatrixXf SaeExperiment::unitColumns(Eigen::MatrixXf m)
{
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
        const float norm = m.col(j).norm();
        m.col(j) *= norm > 1e-30f ? 1.0f / norm : 0.0f;
    }
    return m;
}

SaeRunResult SaeExperiment::train(const SaeExperimentConfig& config, SaeSourceFactory& sources,
                                  const ProgressReporter& progress, const SaeExperiment::ChunkObserver& observer)
{
    config.validate();
    const double built = SaeSourceFactory::buildShare(config.source);
    SaeRunResult result;
    result.source = sources.build(config, ProgressReporter(progress, 0.0, built));
    if (progress.isCancelled())
        throw Cancelled();
    const ActivationSource& source = *result.source.source;
    SaeTrainer trainer(config.saeConfig(), config.training, source);
    const nlohmann::json identity = config.checkpointIdentity();
    if (!config.resumeFrom.empty())
        SaeCheckpoint::restore(SaeCheckpoint::resolve(config.resumeFrom), trainer, identity);
    const int steps = config.training.steps;
    const int every = config.checkpointEvery;
    int chunk = 4;
    auto lastReport = Clock::now() - std::chrono::seconds(1);
    while (trainer.status() == TrainingStatus::Running && !progress.isCancelled()) {
        const auto t0 = Clock::now();
        // Chunks end at checkpoint steps; the chunk size does not change the numbers (the trainer's state is the same
        // after s steps however they were split).
        trainer.run(nullptr, every > 0 ? std::min(chunk, every - trainer.stepsDone() % every) : chunk);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        // ~25 ms chunks: prompt to stop, long enough to amortise the bookkeeping.
        chunk = std::clamp(int(chunk * (ms > 0.0 ? 25.0 / ms : 2.0)), 1, 100000);
        if (every > 0 && trainer.stepsDone() > 0 && trainer.stepsDone() % every == 0 &&
            trainer.status() != TrainingStatus::Diverged)
            SaeCheckpoint::write(SaeCheckpoint::folderFor(config.checkpointDirectory, trainer.stepsDone()), trainer,
                                 identity, {{"featurescope", {{"checkpoint_step", trainer.stepsDone()}}}});
        if (trainer.status() != TrainingStatus::Running)
            break;
        if (observer)
            observer(trainer, result.source);
        if (Clock::now() - lastReport > std::chrono::milliseconds(80)) {
            lastReport = Clock::now();
            progress.report(built + (0.95 - built) * double(trainer.stepsDone()) / steps,
                            "Training SAE: step " + std::to_string(trainer.stepsDone()) + " of " + std::to_string(steps));
        }
    }
    result.status = trainer.status() == TrainingStatus::Running ? TrainingStatus::Cancelled : trainer.status();
    if (result.status == TrainingStatus::Diverged)
        result.message = trainer.message();
    else if (result.status == TrainingStatus::Cancelled)
        result.message = "stopped at step " + std::to_string(trainer.stepsDone()) + " of " + std::to_string(steps);
    result.stepsDone = trainer.stepsDone();
    result.totalSteps = steps;
    result.stepsPerSecond = trainer.stepsPerSecond();
    result.denseFlopsPerStep = trainer.denseFlopsPerStep();
    result.sparseStepFraction = trainer.sparseStepFraction();
    result.lossHistory = trainer.lossHistory();
    result.mseHistory = trainer.mseHistory();
    result.resampleEvents = trainer.resampleEvents();
    result.activity = trainer.activity();
    if (!trainer.auxDeadHistory().empty())
        result.auxDeadAtEnd = trainer.auxDeadHistory().back();
    progress.report(0.96, "Evaluating on the final evaluation inputs");
    result.sae = std::make_shared<SparseAutoencoder>(trainer.autoencoder());
    result.truth = unitTruth(source);
    result.evaluator = std::make_shared<SaeEvaluator>(*result.sae, finalEvaluationSet(source, config), result.truth,
                                                      evaluationOptions(config, source, result.activity));
    // A run whose metrics overflowed (finite loss, huge activations) is as unusable as one whose loss did.
    if (result.status != TrainingStatus::Diverged && !result.evaluator->metrics().finite()) {
        result.status = TrainingStatus::Diverged;
        result.message = "the metrics are NaN or infinite";
    }
    progress.report(1.0, "SAE ready");
    return result;
}

SaeRunResult SaeExperiment::evaluate(const SaeExperimentConfig& config, SaeSourceFactory& sources,
                                     std::shared_ptr<const SparseAutoencoder> sae, const ProgressReporter& progress,
                                     SaeTrainingActivity activity)
{
    config.validate();
    if (!sae || sae->inputDim() != config.inputDimension())
        throw InputError("the SAE's input dimension " + std::to_string(sae ? sae->inputDim() : 0) +
                         " does not match the activations' " + std::to_string(config.inputDimension()));
    SaeRunResult result;
    result.source = sources.build(config, ProgressReporter(progress, 0.0, 0.9));
    if (progress.isCancelled())
        throw Cancelled();
    const ActivationSource& source = *result.source.source;
    progress.report(0.9, "Evaluating on the final evaluation inputs");
    result.sae = std::move(sae);
    result.truth = unitTruth(source);
    result.activity = std::move(activity);
    result.evaluator = std::make_shared<SaeEvaluator>(*result.sae, finalEvaluationSet(source, config), result.truth,
                                                      evaluationOptions(config, source, result.activity));
    result.totalSteps = config.training.steps;
    progress.report(1.0, "SAE ready");
    return result;
}

nlohmann::json SaeRunResult::toJson(const SaeExperimentConfig& config) const
{
    nlohmann::json out = source.facts;
    const SaeConfig sae = config.saeConfig();
    const SaeDictionaryMetrics& m = evaluator->metrics();
    out["source"] = SaeExperimentConfig::sourceName(config.source);
    out["variant"] = saeVariantName(sae.variant);
    out["d_in"] = sae.inputDim;
    out["d_sae"] = sae.latentDim;
    out["l1"] = sae.l1;
    if (sae.tiedEncoder)
        out["tied"] = true;
    if (sae.selectsTopK()) {
        out["k"] = sae.k;
        out["aux_k"] = sae.auxK;
    }
    if (sae.selectsOverBatch())
        out["threshold"] = this->sae->threshold(); // the inference JumpReLU's θ, learned in training
    if (sae.variant == SaeVariant::Matryoshka)
        out["matryoshka_widths"] = sae.matryoshkaLevels();
    if (sae.variant == SaeVariant::JumpReLU) {
        out["sparsity_loss"] = saeJumpSparsityName(sae.jumpSparsity);
        if (sae.jumpSparsity == SaeJumpSparsity::Quadratic)
            out["target_l0"] = sae.jumpTargetL0;
        Eigen::VectorXf theta = this->sae->thresholds();
        std::sort(theta.data(), theta.data() + theta.size());
        out["threshold_median"] = theta.size() ? double(theta[theta.size() / 2]) : 0.0;
        out["threshold_mean"] = theta.size() ? double(theta.mean()) : 0.0;
    }
    if (auxDeadAtEnd >= 0)
        out["aux_k_dead_latents"] = auxDeadAtEnd;
    out["normalize_inputs"] = sae.normalizesInputs();
    out["normalize_activations"] = sae.normalizationName();
    if (config.checkpointEvery > 0) {
        out["checkpoint_every"] = config.checkpointEvery;
        out["checkpoint_dir"] = config.checkpointDirectory;
    }
    if (!config.resumeFrom.empty())
        out["resumed_from"] = config.resumeFrom;
    out["input_scale"] = this->sae->inputScale();
    out["steps"] = config.training.steps;
    out["steps_done"] = stepsDone;
    out["batch"] = config.training.batch;
    out["learning_rate"] = config.training.learningRate;
    out["lr_schedule"] = {{"main", saeLrScheduleName(config.training.lrSchedule)},
                          {"warmup_steps", config.training.lrWarmupSteps},
                          {"decay_steps", config.training.lrDecaySteps},
                          {"lr_end", SaeSchedule::endLearningRate(config.training)}};
    out["l1_warmup_steps"] = config.training.l1WarmupSteps >= 0
                                 ? double(config.training.l1WarmupSteps)
                                 : SaeSchedule::defaultPenaltyWarmup(sae, config.training);
    out["seed"] = config.training.seed;
    out["status"] = status == TrainingStatus::Finished    ? "finished"
                    : status == TrainingStatus::Diverged  ? "diverged"
                    : status == TrainingStatus::Cancelled ? "cancelled"
                                                          : "running";
    if (!message.empty())
        out["message"] = message;
    out["final_loss"] = lossHistory.empty() ? 0.0 : double(lossHistory.back());
    out.update(SaeMetricsExport::toJson(m));
    if (source.source->meanActiveFeatures() > 0.0)
        out["true_mean_active"] = source.source->meanActiveFeatures();
    out["resampled"] = nlohmann::json::array();
    for (const auto& event : resampleEvents)
        out["resampled"].push_back({{"step", event.step}, {"features", event.resampled}});
    out["steps_per_s"] = stepsPerSecond;
    out["dense_flops_per_step"] = denseFlopsPerStep;
    out["dense_equivalent_gflops"] = stepsPerSecond * denseFlopsPerStep / 1e9;
    out["sparse_step_fraction"] = sparseStepFraction;
    return out;
}

} // namespace featurescope

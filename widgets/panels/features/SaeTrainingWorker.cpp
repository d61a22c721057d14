#include "SaeTrainingWorker.h"

#include "common/InputError.h"
#include "experiments/SaeControlExperiment.h"
#include "experiments/SaeExperiment.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>

using namespace featurescope;

namespace {

using Clock = std::chrono::steady_clock;

QStringList toQt(const std::vector<std::string>& names)
{
    QStringList out;
    for (const auto& n : names)
        out << QString::fromStdString(n);
    return out;
}

// A snapshot of `sae` evaluated on `set`: per-feature measures and the match of each latent to a true feature.
std::shared_ptr<FeatureSnapshot> makeSnapshot(std::shared_ptr<const SparseAutoencoder> sae,
                                              std::shared_ptr<const SaeEvaluator> evaluator, const Eigen::MatrixXf& truth,
                                              bool final)
{
    auto snapshot = std::make_shared<FeatureSnapshot>();
    snapshot->final = final;
    snapshot->truth = truth;
    snapshot->densities = evaluator->densities();
    snapshot->maxActivations = evaluator->maxActivations();
    snapshot->purities = evaluator->labelPurities();
    snapshot->coherences = evaluator->coherences();
    const int latents = sae->latentDim();
    snapshot->bestTrue.assign(std::size_t(latents), -1);
    snapshot->bestTrueCosine.assign(std::size_t(latents), 0.0f);
    if (truth.size() > 0 && truth.rows() == sae->inputDim()) {
        const Eigen::MatrixXf cosines = truth.transpose() * SaeExperiment::unitColumns(sae->decoderWeights());
        for (int j = 0; j < latents; ++j) {
            Eigen::Index best = 0;
            snapshot->bestTrueCosine[std::size_t(j)] = cosines.col(j).maxCoeff(&best);
            snapshot->bestTrue[std::size_t(j)] = int(best);
        }
    }
    snapshot->sae = std::move(sae);
    snapshot->evaluator = std::move(evaluator);
    return snapshot;
}

void describe(FeatureSnapshot& s, const SaeExperimentConfig& config, const SaeSource& source, int runId)
{
    s.runId = runId;
    s.config = config;
    s.sourceName = QString::fromStdString(SaeExperimentConfig::sourceName(config.source));
    s.sourceDescription = QString::fromStdString(source.description);
    s.classNames = toQt(source.classNames);
    s.shortClassNames = toQt(source.shortClassNames);
    s.trueMeanActive = source.source->meanActiveFeatures();
}

std::shared_ptr<FeatureSnapshot> finalSnapshot(const SaeRunResult& run, const SaeExperimentConfig& config, int runId)
{
    auto s = makeSnapshot(run.sae, run.evaluator, run.truth, true);
    describe(*s, config, run.source, runId);
    s->step = run.stepsDone;
    s->totalSteps = run.totalSteps;
    s->stepsPerSecond = run.stepsPerSecond;
    s->lossHistory = run.lossHistory;
    s->mseHistory = run.mseHistory;
    s->activity = run.activity;
    s->statusMessage = QString::fromStdString(run.message);
    return s;
}

} // namespace

SaeTrainingWorker::SaeTrainingWorker(QObject* parent)
    : QObject(parent), m_job(tr("Sparse autoencoder"), this)
{
    qRegisterMetaType<SaeTrainingWorker::Snapshot>();
    qRegisterMetaType<SaeTrainingWorker::Control>();
    connect(&m_job, &BackgroundJob::progress, this, &SaeTrainingWorker::progress);
    connect(&m_job, &BackgroundJob::finished, this, &SaeTrainingWorker::onJobFinished);
}

SaeTrainingWorker::~SaeTrainingWorker() { m_job.abandon(); }

void SaeTrainingWorker::publish(std::shared_ptr<FeatureSnapshot> snapshot)
{
    m_job.deliver([this, snapshot = Snapshot(std::move(snapshot))] { Q_EMIT updated(snapshot); });
}

void SaeTrainingWorker::train(const SaeExperimentConfig& config)
{
    config.validate();
    m_job.cancel();
    m_job.waitForFinished();
    const int runId = ++m_runId;
    m_job.setTitle(tr("Training an SAE"));
    m_cancelledMessage = tr("Cancelled before the SAE was trained");
    m_job.start([this, config, runId](const ProgressReporter& progress) {
        // Live snapshots between training chunks, on a small evaluation set drawn once per run.
        std::shared_ptr<const EvaluationSet> live;
        Eigen::MatrixXf truth;
        auto lastPublish = Clock::now() - std::chrono::seconds(1);
        auto interval = std::chrono::milliseconds(80);
        auto observe = [&](const SaeTrainer& trainer, const SaeSource& source) {
            if (Clock::now() - lastPublish < interval)
                return;
            if (!live) {
                live = std::make_shared<EvaluationSet>(SaeExperiment::liveEvaluationSet(*source.source, config));
                truth = SaeExperiment::unitTruth(*source.source);
            }
            const auto e0 = Clock::now();
            auto sae = std::make_shared<const SparseAutoencoder>(trainer.autoencoder());
            auto evaluator = std::make_shared<const SaeEvaluator>(*sae, *live, truth);
            auto snapshot = makeSnapshot(sae, evaluator, truth, false);
            describe(*snapshot, config, source, runId);
            snapshot->step = trainer.stepsDone();
            snapshot->totalSteps = trainer.training().steps;
            snapshot->stepsPerSecond = trainer.stepsPerSecond();
            snapshot->lossHistory = trainer.lossHistory();
            snapshot->mseHistory = trainer.mseHistory();
            // Evaluating must not dominate training: publish at most every 3 evaluation times.
            interval = std::max(std::chrono::milliseconds(80),
                                3 * std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - e0));
            lastPublish = Clock::now();
            publish(std::move(snapshot));
        };
        const SaeRunResult run = SaeExperiment::train(config, m_sources, progress, observe);
        publish(finalSnapshot(run, config, runId));
        if (run.status == TrainingStatus::Diverged)
            throw std::runtime_error("Training diverged at step " + std::to_string(run.stepsDone) + ": " + run.message);
        m_doneMessage = run.status == TrainingStatus::Finished
                            ? tr("Trained %1 steps (%2 steps/s)").arg(run.stepsDone).arg(run.stepsPerSecond, 0, 'f', 0)
                            : tr("Stopped at step %1 of %2").arg(run.stepsDone).arg(run.totalSteps);
    });
}

void SaeTrainingWorker::runControl(const SaeExperimentConfig& config)
{
    if (config.source != SaeExperimentConfig::Source::FashionMnist)
        throw InputError("the randomized-weights control needs the Fashion-MNIST source (an MLP to shuffle)");
    config.validate();
    m_job.cancel();
    m_job.waitForFinished();
    m_job.setTitle(tr("Randomized-weights control"));
    m_cancelledMessage = tr("Control cancelled");
    m_job.start([this, config](const ProgressReporter& progress) {
        auto control = std::make_shared<const ControlComparison>(SaeControlExperiment::run(config, m_sources, progress));
        m_job.deliver([this, control] { Q_EMIT controlReady(control); });
        m_doneMessage = tr("Control ready: the same SAE on the trained and the shuffled network");
    });
}

void SaeTrainingWorker::evaluate(const SaeExperimentConfig& config, Restored restored)
{
    config.validate();
    if (!restored.sae || restored.sae->inputDim() != config.inputDimension())
        throw InputError("the SAE's input dimension " + std::to_string(restored.sae ? restored.sae->inputDim() : 0) +
                         " does not match the activations' " + std::to_string(config.inputDimension()));
    m_job.cancel();
    m_job.waitForFinished();
    const int runId = ++m_runId;
    m_job.setTitle(tr("Evaluating an SAE"));
    m_cancelledMessage = tr("Cancelled before the SAE was evaluated");
    m_job.start([this, config, restored = std::move(restored), runId](const ProgressReporter& progress) {
        SaeRunResult run = SaeExperiment::evaluate(config, m_sources, restored.sae, progress, restored.activity);
        auto snapshot = finalSnapshot(run, config, runId);
        snapshot->step = restored.step;
        snapshot->totalSteps = restored.totalSteps;
        snapshot->stepsPerSecond = restored.stepsPerSecond;
        snapshot->lossHistory = restored.lossHistory;
        snapshot->mseHistory = restored.mseHistory;
        snapshot->statusMessage = restored.statusMessage;
        snapshot->origin = restored.origin;
        publish(std::move(snapshot));
        m_doneMessage = restored.origin.isEmpty() ? tr("SAE restored") : tr("SAE ready: %1").arg(restored.origin);
    });
}

void SaeTrainingWorker::onJobFinished(BackgroundJob::Outcome outcome, const QString& error)
{
    switch (outcome) {
    case BackgroundJob::Outcome::Succeeded:
        Q_EMIT finished(m_doneMessage, true);
        break;
    case BackgroundJob::Outcome::Cancelled:
        // A training run stopped by the user still published its final snapshot and says where it stopped.
        Q_EMIT finished(m_doneMessage.isEmpty() ? m_cancelledMessage : m_doneMessage, true);
        break;
    case BackgroundJob::Outcome::Failed:
        Q_EMIT finished(error, false);
        break;
    }
    m_doneMessage.clear();
}

#include "SaeTrainingWorker.h"

#include "common/InputError.h"
#include "math/Rng.h"
#include "mlp/ImageDataset.h"
#include "mlp/MlpClassifier.h"
#include "mlp/MlpTrainer.h"
#include "sae/ActivationImport.h"
#include "sae/MatrixActivationSource.h"
#include "sae/MlpActivationSource.h"
#include "sae/SaeTrainer.h"
#include "sae/SyntheticActivationSource.h"
#include "sae/ToyActivationSource.h"
#include "toy/ToyTrainer.h"

#include <QtConcurrent/QtConcurrent>

#include <algorithm>
#include <chrono>
#include <filesystem>

using namespace featurescope;

namespace {

using Clock = std::chrono::steady_clock;

struct Cancelled {};

// Seeds shared with `featurescope sae`, so the panel and the command line give the same numbers.
constexpr std::uint64_t kSyntheticStream = 0xDA7A;
constexpr std::uint64_t kEvaluationStream = 0xE7A1;
constexpr std::uint64_t kShuffleStream = 0x5A1F;
constexpr std::uint64_t kLiveStream = 0x11FE;

const QStringList kFashionClasses{QStringLiteral("T-shirt/top"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
                                  QStringLiteral("Dress"),       QStringLiteral("Coat"),    QStringLiteral("Sandal"),
                                  QStringLiteral("Shirt"),       QStringLiteral("Sneaker"), QStringLiteral("Bag"),
                                  QStringLiteral("Ankle boot")};
const QStringList kFashionShortClasses{QStringLiteral("T-shirt"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
                                       QStringLiteral("Dress"),   QStringLiteral("Coat"),    QStringLiteral("Sandal"),
                                       QStringLiteral("Shirt"),   QStringLiteral("Sneaker"), QStringLiteral("Bag"),
                                       QStringLiteral("Boot")};

Eigen::MatrixXf unitColumns(Eigen::MatrixXf m)
{
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
        const float norm = m.col(j).norm();
        m.col(j) *= norm > 1e-30f ? 1.0f / norm : 0.0f;
    }
    return m;
}

} // namespace

struct SaeTrainingWorker::MlpBundle {
    ImageDataset test;
    MlpClassifier model;
    double accuracy = 0.0;
    double seconds = 0.0;
    QStringList classNames;
    QStringList shortClassNames;
};

struct SaeTrainingWorker::SourceBundle {
    std::shared_ptr<const ActivationSource> source;
    QString description;
    QStringList classNames;
    QStringList shortClassNames;
    double trainedUpTo = 0.0; // overall progress used by the source's own training
};

SaeTrainingWorker::SaeTrainingWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<SaeTrainingWorker::Snapshot>();
    qRegisterMetaType<SaeTrainingWorker::Control>();
    connect(&m_watcher, &QFutureWatcher<void>::finished, this, &SaeTrainingWorker::onJobFinished);
}

SaeTrainingWorker::~SaeTrainingWorker()
{
    stop();
    m_watcher.waitForFinished();
}

void SaeTrainingWorker::stop()
{
    m_stop = true;
    if (m_reporter)
        m_reporter->cancel();
}

void SaeTrainingWorker::waitForFinished() { m_watcher.waitForFinished(); }

void SaeTrainingWorker::train(const FeatureRunConfig& config)
{
    config.validate();
    const int runId = ++m_runId;
    launch([this, config, runId] { trainJob(config, runId); });
}

void SaeTrainingWorker::runControl(const FeatureRunConfig& config)
{
    if (config.source != FeatureRunConfig::Source::FashionMnist)
        throw InputError("the randomized-weights control needs the Fashion-MNIST source (an MLP to shuffle)");
    config.validate();
    launch([this, config] { controlJob(config); });
}

void SaeTrainingWorker::evaluate(const FeatureRunConfig& config, Restored restored)
{
    config.validate();
    if (!restored.sae || restored.sae->inputDim() != config.inputDimension())
        throw InputError("the SAE's input dimension " + std::to_string(restored.sae ? restored.sae->inputDim() : 0) +
                         " does not match the activations' " + std::to_string(config.inputDimension()));
    const int runId = ++m_runId;
    launch([this, config, restored = std::move(restored), runId] { evaluateJob(config, restored, runId); });
}

void SaeTrainingWorker::launch(std::function<void()> job)
{
    stop();
    m_watcher.waitForFinished();
    m_stop = false;
    m_message.clear();
    m_ok = true;
    m_stageProgress = nullptr;
    // Core calls the callback on the job's thread; the job points m_stageProgress at its current stage.
    m_reporter = std::make_shared<ProgressReporter>([this](double f, const std::string&) {
        if (m_stageProgress)
            m_stageProgress(f);
    });
    m_watcher.setFuture(QtConcurrent::run(std::move(job)));
}

void SaeTrainingWorker::onJobFinished() { Q_EMIT finished(m_message, m_ok); }

void SaeTrainingWorker::report(double fraction, const QString& message)
{
    Q_EMIT progress(std::clamp(fraction, 0.0, 1.0), message);
}

std::shared_ptr<const SaeTrainingWorker::MlpBundle> SaeTrainingWorker::mlpFor(const FeatureRunConfig& config,
                                                                             double from, double to)
{
    const std::string key = config.dataDirectory + "|" + std::to_string(config.mlpEpochs) + "|" +
                            std::to_string(config.training.seed);
    if (m_mlp && key == m_mlpKey)
        return m_mlp;
    report(from, tr("Loading images from %1").arg(QString::fromStdString(config.dataDirectory)));
    const ImageDataset train = ImageDataset::loadSplit(config.dataDirectory, "train");
    auto bundle = std::make_shared<MlpBundle>();
    bundle->test = ImageDataset::loadSplit(config.dataDirectory, "t10k");
    if (train.pixelCount() != MlpConfig{}.inputs || bundle->test.pixelCount() != MlpConfig{}.inputs)
        throw InputError("the images in " + config.dataDirectory + " are " + std::to_string(train.rows) + "x" +
                         std::to_string(train.cols) + "; the MLP expects 28x28");
    MlpTrainingConfig training;
    training.epochs = config.mlpEpochs;
    training.seed = config.training.seed;
    auto last = std::make_shared<Clock::time_point>(Clock::now() - std::chrono::seconds(1));
    m_stageProgress = [this, from, to, last](double f) {
        if (Clock::now() - *last < std::chrono::milliseconds(50))
            return;
        *last = Clock::now();
        report(from + f * (to - from), tr("Training the MLP classifier: %1 %").arg(100.0 * f, 0, 'f', 0));
    };
    const MlpTrainingResult result = MlpTrainer::train(MlpConfig{}, training, train, m_reporter.get());
    m_stageProgress = nullptr;
    if (result.status == TrainingStatus::Cancelled || m_stop)
        throw Cancelled{};
    if (result.status == TrainingStatus::Diverged)
        throw InputError("the MLP diverged: " + result.message);
    bundle->model = result.model;
    bundle->seconds = result.seconds;
    bundle->accuracy = bundle->model.accuracy(bundle->test);
    const bool fashion = QString::fromStdString(config.dataDirectory).contains(QLatin1String("fashion"), Qt::CaseInsensitive);
    if (fashion && bundle->test.classCount <= kFashionClasses.size()) {
        bundle->classNames = kFashionClasses.mid(0, bundle->test.classCount);
        bundle->shortClassNames = kFashionShortClasses.mid(0, bundle->test.classCount);
    } else {
        for (int c = 0; c < bundle->test.classCount; ++c)
            bundle->classNames << QString::number(c);
        bundle->shortClassNames = bundle->classNames;
    }
    m_mlp = bundle;
    m_mlpKey = key;
    return bundle;
}

SaeTrainingWorker::SourceBundle SaeTrainingWorker::buildSource(const FeatureRunConfig& config)
{
    SourceBundle bundle;
    const std::uint64_t seed = config.training.seed;
    switch (config.source) {
    case FeatureRunConfig::Source::Synthetic: {
        SyntheticActivationSource::Settings settings;
        settings.features = config.syntheticFeatures;
        settings.dimension = config.syntheticDimension;
        settings.meanActive = config.syntheticMeanActive;
        settings.seed = Rng::deriveSeed(seed, kSyntheticStream);
        bundle.source = std::make_shared<SyntheticActivationSource>(settings);
        bundle.description = tr("synthetic: %1 true features in d = %2, %3 active per input")
                                 .arg(config.syntheticFeatures)
                                 .arg(config.syntheticDimension)
                                 .arg(config.syntheticMeanActive, 0, 'g', 3);
        break;
    }
    case FeatureRunConfig::Source::Toy: {
        ToyModelConfig toy;
        toy.features = config.toyFeatures;
        toy.hidden = config.toyHidden;
        toy.featureProbability = ToyModelConfig::sharedProbability(config.toyFeatures, 1, config.toyProbability);
        TrainingConfig training;
        training.steps = config.toySteps;
        training.seed = seed;
        training.snapshotCount = 2;
        if (m_stop)
            throw Cancelled{};
        // Trained in chunks so a stop request is seen between them (and inside them through the job's reporter).
        ToyTrainer trainer(toy, training);
        while (trainer.status() == TrainingStatus::Running) {
            if (m_stop)
                throw Cancelled{};
            trainer.run(m_reporter.get(), 200);
            report(0.2 * trainer.stepsDone() / std::max(1, training.steps),
                   tr("Training the toy model: step %1 of %2").arg(trainer.stepsDone()).arg(training.steps));
        }
        if (trainer.status() == TrainingStatus::Diverged)
            throw InputError("the toy model diverged: " + trainer.result().message);
        const auto loss = trainer.recentLoss();
        bundle.source = std::make_shared<ToyActivationSource>(trainer.model());
        bundle.description = tr("toy model: n = %1 features in m = %2 dims, p = %3 (loss %4)")
                                 .arg(config.toyFeatures)
                                 .arg(config.toyHidden)
                                 .arg(config.toyProbability, 0, 'g', 3)
                                 .arg(loss.empty() ? 0.0 : loss.front(), 0, 'g', 3);
        bundle.trainedUpTo = 0.2;
        break;
    }
    case FeatureRunConfig::Source::FashionMnist: {
        const auto mlp = mlpFor(config, 0.0, 0.35);
        bundle.source = std::make_shared<MlpActivationSource>(mlp->model, mlp->test, "fashion-mnist");
        bundle.classNames = mlp->classNames;
        bundle.shortClassNames = mlp->shortClassNames;
        bundle.description = tr("MLP 784-128-10 hidden layer on %1 test images (accuracy %2 %)")
                                 .arg(mlp->test.count)
                                 .arg(100.0 * mlp->accuracy, 0, 'f', 1);
        bundle.trainedUpTo = 0.35;
        break;
    }
    case FeatureRunConfig::Source::File: {
        const ImportedActivations& file = *config.imported;
        bundle.source = std::make_shared<MatrixActivationSource>(file.set, file.path);
        for (int c = 0; c < file.set.classCount; ++c)
            bundle.classNames << QString::number(c);
        bundle.shortClassNames = bundle.classNames;
        bundle.description = tr("%1 · %2: %3 rows, d = %4%5")
                                 .arg(QString::fromStdString(std::filesystem::path(file.path).filename().string()),
                                      QString::fromStdString(file.arrayName))
                                 .arg(file.set.size())
                                 .arg(file.set.activations.rows())
                                 .arg(file.hasTokens() ? tr(", with tokens") : QString());
        break;
    }
    }
    return bundle;
}

namespace {

std::shared_ptr<FeatureSnapshot> makeSnapshot(std::shared_ptr<const SparseAutoencoder> sae, const EvaluationSet& set,
                                              const Eigen::MatrixXf& truth, bool final)
{
    auto snapshot = std::make_shared<FeatureSnapshot>();
    snapshot->final = final;
    snapshot->truth = truth;
    auto evaluator = std::make_shared<SaeEvaluator>(*sae, set, truth);
    snapshot->densities = evaluator->densities();
    snapshot->maxActivations = evaluator->maxActivations();
    snapshot->purities = evaluator->labelPurities();
    snapshot->coherences = evaluator->coherences();
    const int latents = sae->latentDim();
    snapshot->bestTrue.assign(std::size_t(latents), -1);
    snapshot->bestTrueCosine.assign(std::size_t(latents), 0.0f);
    if (truth.size() > 0 && truth.rows() == sae->inputDim()) {
        const Eigen::MatrixXf cosines = truth.transpose() * unitColumns(sae->decoderWeights());
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

std::shared_ptr<FeatureSnapshot> makeSnapshot(const SaeTrainer& trainer, const EvaluationSet& set,
                                              const Eigen::MatrixXf& truth, bool final)
{
    auto snapshot = makeSnapshot(std::make_shared<SparseAutoencoder>(trainer.autoencoder()), set, truth, final);
    snapshot->step = trainer.stepsDone();
    snapshot->totalSteps = trainer.training().steps;
    snapshot->stepsPerSecond = trainer.stepsPerSecond();
    snapshot->lossHistory = trainer.lossHistory();
    snapshot->mseHistory = trainer.mseHistory();
    return snapshot;
}

} // namespace

void SaeTrainingWorker::trainJob(FeatureRunConfig config, int runId)
{
    try {
        const SourceBundle bundle = buildSource(config);
        if (m_stop)
            throw Cancelled{};
        const ActivationSource& source = *bundle.source;
        const Eigen::MatrixXf truth = unitColumns(source.groundTruth());
        const std::uint64_t seed = config.training.seed;
        const EvaluationSet live = source.evaluationSet(kLiveInputs, Rng::deriveSeed(seed, kLiveStream));
        SaeTrainer trainer(config.saeConfig(), config.training, source);
        const int steps = config.training.steps;
        const double from = bundle.trainedUpTo;
        auto decorate = [&](std::shared_ptr<FeatureSnapshot> s) {
            s->runId = runId;
            s->sourceName = FeatureRunConfig::sourceName(config.source);
            s->sourceDescription = bundle.description;
            s->classNames = bundle.classNames;
            s->shortClassNames = bundle.shortClassNames;
            s->trueMeanActive = source.meanActiveFeatures();
            s->config = config;
            return s;
        };

        int chunk = 4;
        auto lastPublish = Clock::now() - std::chrono::seconds(1);
        auto interval = std::chrono::milliseconds(80);
        while (trainer.status() == TrainingStatus::Running && !m_stop) {
            const auto t0 = Clock::now();
            trainer.run(nullptr, chunk);
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            // ~25 ms chunks: prompt to stop, long enough to amortise the bookkeeping.
            chunk = std::clamp(int(chunk * (ms > 0.0 ? 25.0 / ms : 2.0)), 1, 100000);
            if (trainer.status() == TrainingStatus::Running && Clock::now() - lastPublish >= interval) {
                const auto e0 = Clock::now();
                auto snapshot = decorate(makeSnapshot(trainer, live, truth, false));
                const auto evalMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - e0);
                // Evaluating must not dominate training: publish at most every 3 evaluation times.
                interval = std::max(std::chrono::milliseconds(80), 3 * evalMs);
                lastPublish = Clock::now();
                Q_EMIT updated(snapshot);
                report(from + (0.95 - from) * double(trainer.stepsDone()) / steps,
                       tr("Training SAE: step %1 of %2").arg(trainer.stepsDone()).arg(steps));
            }
        }
        report(0.96, tr("Evaluating on %1 inputs").arg(kFinalInputs));
        const EvaluationSet full = source.evaluationSet(kFinalInputs, Rng::deriveSeed(seed, kEvaluationStream));
        auto snapshot = decorate(makeSnapshot(trainer, full, truth, true));
        if (trainer.status() == TrainingStatus::Diverged)
            snapshot->statusMessage = QString::fromStdString(trainer.message());
        else if (trainer.status() != TrainingStatus::Finished)
            snapshot->statusMessage = tr("stopped at step %1 of %2").arg(trainer.stepsDone()).arg(steps);
        Q_EMIT updated(snapshot);
        report(1.0, tr("SAE ready"));
        if (trainer.status() == TrainingStatus::Diverged)
            m_message = tr("Training diverged at step %1: %2")
                            .arg(trainer.stepsDone())
                            .arg(QString::fromStdString(trainer.message()));
        else if (trainer.status() == TrainingStatus::Finished)
            m_message = tr("Trained %1 steps (%2 steps/s)").arg(trainer.stepsDone()).arg(trainer.stepsPerSecond(), 0, 'f', 0);
        else
            m_message = tr("Stopped at step %1 of %2").arg(trainer.stepsDone()).arg(steps);
        m_ok = trainer.status() != TrainingStatus::Diverged;
    } catch (const Cancelled&) {
        m_message = tr("Cancelled before the SAE was trained");
        m_ok = true;
    } catch (const std::exception& error) {
        m_message = QString::fromStdString(error.what());
        m_ok = false;
    }
}

void SaeTrainingWorker::controlJob(FeatureRunConfig config)
{
    try {
        const auto mlp = mlpFor(config, 0.0, 0.3);
        const std::uint64_t seed = config.training.seed;
        const MlpClassifier shuffled = mlp->model.shuffledCopy(Rng::deriveSeed(seed, kShuffleStream));
        auto result = std::make_shared<ControlComparison>();
        result->latentDim = config.sae.latentDim;
        result->steps = config.training.steps;
        result->topK = SaeEvaluationOptions{}.topK;
        const MlpClassifier* models[2] = {&mlp->model, &shuffled};
        ControlComparison::Side* sides[2] = {&result->trained, &result->shuffled};
        const QString names[2] = {tr("trained MLP"), tr("shuffled weights")};
        for (int k = 0; k < 2; ++k) {
            const MlpActivationSource source(*models[k], mlp->test, k == 0 ? "fashion-mnist" : "fashion-mnist-shuffled");
            SaeTrainer trainer(config.saeConfig(), config.training, source);
            const double from = 0.3 + 0.35 * k;
            auto lastReport = Clock::now() - std::chrono::seconds(1);
            while (trainer.status() == TrainingStatus::Running) {
                if (m_stop)
                    throw Cancelled{};
                trainer.run(nullptr, 16);
                if (Clock::now() - lastReport > std::chrono::milliseconds(80)) {
                    lastReport = Clock::now();
                    report(from + 0.3 * trainer.stepsDone() / std::max(1, config.training.steps),
                           tr("Control: SAE on the %1, step %2 of %3")
                               .arg(names[k])
                               .arg(trainer.stepsDone())
                               .arg(config.training.steps));
                }
            }
            if (trainer.status() == TrainingStatus::Diverged)
                throw InputError("the SAE on the " + names[k].toStdString() + " diverged: " + trainer.message());
            report(from + 0.32, tr("Control: evaluating the %1").arg(names[k]));
            const SaeEvaluator evaluator(trainer.autoencoder(),
                                         source.evaluationSet(kFinalInputs, Rng::deriveSeed(seed, kEvaluationStream)));
            ControlComparison::Side& side = *sides[k];
            side.name = names[k];
            side.accuracy = models[k]->accuracy(mlp->test);
            side.metrics = evaluator.metrics();
            side.densities = evaluator.densities();
            for (double p : evaluator.labelPurities())
                if (p >= 0.0)
                    side.purities.push_back(p);
            for (double c : evaluator.coherences())
                if (c >= -0.5)
                    side.coherences.push_back(c);
        }
        Q_EMIT controlReady(result);
        report(1.0, tr("Control ready"));
        m_message = tr("Control ready: the same SAE on the trained and the shuffled network");
        m_ok = true;
    } catch (const Cancelled&) {
        m_message = tr("Control cancelled");
        m_ok = true;
    } catch (const std::exception& error) {
        m_message = QString::fromStdString(error.what());
        m_ok = false;
    }
}

void SaeTrainingWorker::evaluateJob(FeatureRunConfig config, Restored restored, int runId)
{
    try {
        const SourceBundle bundle = buildSource(config);
        if (m_stop)
            throw Cancelled{};
        const ActivationSource& source = *bundle.source;
        report(0.9, tr("Evaluating on %1 inputs").arg(kFinalInputs));
        const EvaluationSet full =
            source.evaluationSet(kFinalInputs, Rng::deriveSeed(config.training.seed, kEvaluationStream));
        auto snapshot = makeSnapshot(restored.sae, full, unitColumns(source.groundTruth()), true);
        snapshot->runId = runId;
        snapshot->step = restored.step;
        snapshot->totalSteps = restored.totalSteps;
        snapshot->stepsPerSecond = restored.stepsPerSecond;
        snapshot->lossHistory = std::move(restored.lossHistory);
        snapshot->mseHistory = std::move(restored.mseHistory);
        snapshot->statusMessage = restored.statusMessage;
        snapshot->origin = restored.origin;
        snapshot->sourceName = FeatureRunConfig::sourceName(config.source);
        snapshot->sourceDescription = bundle.description;
        snapshot->classNames = bundle.classNames;
        snapshot->shortClassNames = bundle.shortClassNames;
        snapshot->trueMeanActive = source.meanActiveFeatures();
        snapshot->config = config;
        Q_EMIT updated(snapshot);
        report(1.0, tr("SAE ready"));
        m_message = restored.origin.isEmpty() ? tr("SAE restored") : tr("SAE ready: %1").arg(restored.origin);
        m_ok = true;
    } catch (const Cancelled&) {
        m_message = tr("Cancelled before the SAE was evaluated");
        m_ok = true;
    } catch (const std::exception& error) {
        m_message = QString::fromStdString(error.what());
        m_ok = false;
    }
}

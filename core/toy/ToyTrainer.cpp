#include "toy/ToyTrainer.h"

#include "math/AdamOptimizer.h"
#include "math/Rng.h"
#include "toy/SparseFeatureSampler.h"
#include "toy/ToyLossKernel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

namespace featurescope {

namespace {
// Rows per sampled slab on the fused path: 256 rows of n = 400 features are 400 KB, inside L2.
constexpr int kSlabRows = 256;
} // namespace

struct ToyTrainer::InstanceState {
    InstanceState(const ToyModelConfig& config, int instance, const TrainingConfig& training,
                  const ToyInstance& params, std::uint64_t seed)
        : sampler(seed),
          kernel(config, instance, training.batch),
          X(kernel.acceptsSlabs() ? std::min(training.batch, kSlabRows) : training.batch, config.features),
          lastGood(params)
    {
        AdamSettings settings;
        settings.learningRate = training.learningRate;
        settings.weightDecay = training.adamW ? training.weightDecay : 0.0;
        adamW = AdamOptimizer(static_cast<std::size_t>(params.W.size()), settings);
        adamDecoder = AdamOptimizer(static_cast<std::size_t>(params.decoder.size()), settings);
        adamBias = AdamOptimizer(static_cast<std::size_t>(params.b.size()), settings);
    }
    SparseFeatureSampler sampler;
    ToyLossKernel kernel;
    Eigen::MatrixXf X;
    ToyInstance gradient;
    ToyInstance lastGood;
    AdamOptimizer adamW, adamDecoder, adamBias;
};

namespace {
// Validation must run before any member allocates what a bad configuration asks for.
const ToyModelConfig& validated(const ToyModelConfig& model, const TrainingConfig& training)
{
    model.validate();
    training.validate(model.features, model.hidden, model.instances());
    return model;
}
} // namespace

ToyTrainer::ToyTrainer(const ToyModelConfig& model, const TrainingConfig& training)
    : m_model(validated(model, training)), m_training(training)
{
    m_model.initialise(training.seed);
    for (int i = 0; i < m_model.instanceCount(); ++i) {
        const std::uint64_t dataSeed = Rng::deriveSeed(training.seed ^ 0xDA7A5EEDull, static_cast<std::uint64_t>(i));
        m_states.push_back(std::make_unique<InstanceState>(model, i, training, m_model.instance(i), dataSeed));
    }
    m_lossHistory.assign(static_cast<std::size_t>(m_model.instanceCount()), {});
    for (auto& h : m_lossHistory)
        h.reserve(static_cast<std::size_t>(training.steps));
    m_snapshotSteps = training.snapshotSteps();
    m_snapshots.push_back(ToySnapshot{0, {}});
    for (int i = 0; i < m_model.instanceCount(); ++i)
        m_snapshots.back().instances.push_back(m_model.instance(i));
}

ToyTrainer::~ToyTrainer() = default;

bool ToyTrainer::stepInstance(int instance, int step)
{
    auto& state = *m_states[static_cast<std::size_t>(instance)];
    auto& params = m_model.instance(instance);
    const auto& config = m_model.config();
    const auto& probability = config.featureProbability[static_cast<std::size_t>(instance)];
    const bool signedValues = config.kind == ToyModelKind::UntiedAbs;
    double loss = 0.0;
    if (state.kernel.acceptsSlabs()) {
        // Sample and consume the batch one L2-sized slab at a time: a whole dense batch (n = 400: 1.6 MB) would
        // be written out to L3 by the sampler and read back by the kernel.
        const int batch = m_training.batch;
        const int slab = static_cast<int>(state.X.rows());
        state.kernel.beginBatch(&state.gradient);
        for (int row = 0; row < batch; row += slab) {
            const int rows = std::min(slab, batch - row);
            state.sampler.sample(probability, signedValues, state.X.data(), rows);
            state.kernel.accumulateSlab(params, state.X.data(), rows, &state.gradient);
        }
        loss = state.kernel.finishBatch(&state.gradient);
    } else {
        state.sampler.sample(probability, signedValues, state.X);
        loss = state.kernel.evaluate(params, state.X, &state.gradient);
    }
    if (!std::isfinite(loss) || !state.gradient.isFinite()) {
        params = state.lastGood;
        return false;
    }
    m_lossHistory[static_cast<std::size_t>(instance)].push_back(static_cast<float>(loss));
    state.lastGood = params;
    state.adamW.step(params.W.data(), state.gradient.W.data());
    if (params.decoder.size())
        state.adamDecoder.step(params.decoder.data(), state.gradient.decoder.data());
    state.adamBias.step(params.b.data(), state.gradient.b.data());
    (void)step;
    return true;
}

void ToyTrainer::runInstances(int begin, int end, int targetStep, ProgressReporter* progress, bool reports)
{
    // Each worker runs its instances in lock step so snapshots line up; only worker 0 reports progress.
    for (int step = m_stepsDone; step < targetStep; ++step) {
        if (progress && progress->isCancelled())
            return;
        if (m_diverged.load(std::memory_order_relaxed))
            return;
        for (int i = begin; i < end; ++i) {
            if (!stepInstance(i, step)) {
                std::lock_guard<std::mutex> lock(m_messageMutex);
                m_diverged = true;
                m_message = "training stopped at step " + std::to_string(step) + ": the loss of instance " +
                            std::to_string(i) +
                            " became non-finite (try a smaller learning rate); the last good weights are kept";
                return;
            }
        }
        if (reports && progress && (step % 64 == 0))
            progress->report(double(step) / m_training.steps, "training");
    }
}

TrainingStatus ToyTrainer::run(ProgressReporter* progress, int stepLimit)
{
    if (m_status == TrainingStatus::Finished || m_status == TrainingStatus::Diverged)
        return m_status;
    m_status = TrainingStatus::Running;
    const int instances = m_model.instanceCount();
    // Advance in segments that end at snapshot steps so every snapshot is taken at its exact step.
    int limit = stepLimit >= 0 ? std::min(m_training.steps, m_stepsDone + stepLimit) : m_training.steps;
    while (m_stepsDone < limit) {
        const auto next = std::upper_bound(m_snapshotSteps.begin(), m_snapshotSteps.end(), m_stepsDone);
        const int target = std::min(limit, next == m_snapshotSteps.end() ? limit : *next);
        const int threads = std::min(m_training.threads, instances);
        const int before = m_stepsDone;
        if (threads <= 1) {
            runInstances(0, instances, target, progress, true);
        } else {
            if (!m_pool || m_pool->threads() != threads)
                m_pool = std::make_unique<TaskPool>(threads);
            m_pool->run(threads, [this, threads, instances, target, progress](int t) {
                runInstances(instances * t / threads, instances * (t + 1) / threads, target, progress, t == 0);
            });
        }
        // Steps completed by every instance (cancellation can stop workers at different steps).
        std::size_t done = m_lossHistory.front().size();
        for (const auto& h : m_lossHistory)
            done = std::min(done, h.size());
        for (auto& h : m_lossHistory)
            h.resize(done);
        m_stepsDone = static_cast<int>(done);
        if (m_diverged) {
            m_status = TrainingStatus::Diverged;
            return m_status;
        }
        if (std::binary_search(m_snapshotSteps.begin(), m_snapshotSteps.end(), m_stepsDone) &&
            m_snapshots.back().step != m_stepsDone) {
            ToySnapshot snapshot{m_stepsDone, {}};
            for (int i = 0; i < instances; ++i)
                snapshot.instances.push_back(m_model.instance(i));
            m_snapshots.push_back(std::move(snapshot));
        }
        if (progress && progress->isCancelled()) {
            m_status = TrainingStatus::Cancelled;
            m_message = "training cancelled at step " + std::to_string(m_stepsDone);
            return m_status;
        }
        if (m_stepsDone == before)
            break;
    }
    if (m_stepsDone >= m_training.steps) {
        m_status = TrainingStatus::Finished;
        if (progress)
            progress->report(1.0, "trained");
    }
    return m_status;
}

std::vector<double> ToyTrainer::recentLoss(int window) const
{
    std::vector<double> result;
    for (const auto& history : m_lossHistory) {
        const std::size_t count = std::min<std::size_t>(history.size(), static_cast<std::size_t>(std::max(window, 1)));
        double sum = 0.0;
        for (std::size_t k = history.size() - count; k < history.size(); ++k)
            sum += history[k];
        result.push_back(count ? sum / double(count) : std::nan(""));
    }
    return result;
}

ToyTrainingResult ToyTrainer::result() const
{
    ToyTrainingResult r;
    r.model = m_model;
    r.training = m_training;
    r.lossHistory = m_lossHistory;
    r.finalLoss = recentLoss();
    r.snapshots = m_snapshots;
    r.restartChosen.assign(static_cast<std::size_t>(m_model.instanceCount()), 0);
    r.stepsDone = m_stepsDone;
    r.status = m_status;
    r.message = m_message;
    return r;
}

ToyTrainingResult ToyTrainer::train(const ToyModelConfig& model, const TrainingConfig& training,
                                    ProgressReporter* progress)
{
    ToyTrainingResult best;
    for (int r = 0; r < training.restarts; ++r) {
        TrainingConfig runConfig = training;
        runConfig.seed = r == 0 ? training.seed : Rng::deriveSeed(training.seed, 1000u + static_cast<unsigned>(r));
        ToyTrainer trainer(model, runConfig);
        // Maps this restart's progress into the whole job's and relays the caller's cancel flag between chunks.
        ProgressReporter inner([&](double f, const std::string& msg) {
            if (progress)
                progress->report((r + f) / training.restarts,
                                 training.restarts > 1 ? msg + " (restart " + std::to_string(r + 1) + "/" +
                                                             std::to_string(training.restarts) + ")"
                                                       : msg);
        });
        while (trainer.status() == TrainingStatus::Running) {
            if (progress && progress->isCancelled())
                inner.cancel();
            trainer.run(&inner, progress ? 256 : -1);
        }
        ToyTrainingResult current = trainer.result();
        if (r == 0) {
            best = std::move(current);
        } else {
            for (int i = 0; i < best.model.instanceCount(); ++i) {
                const auto idx = static_cast<std::size_t>(i);
                if (current.finalLoss[idx] < best.finalLoss[idx]) {
                    best.model.instance(i) = current.model.instance(i);
                    best.lossHistory[idx] = current.lossHistory[idx];
                    best.finalLoss[idx] = current.finalLoss[idx];
                    best.restartChosen[idx] = r;
                    for (std::size_t s = 0; s < best.snapshots.size() && s < current.snapshots.size(); ++s)
                        best.snapshots[s].instances[idx] = current.snapshots[s].instances[idx];
                }
            }
            if (current.status != TrainingStatus::Finished) {
                best.status = current.status;
                best.message = current.message;
            }
        }
        if (best.status != TrainingStatus::Finished)
            break;
    }
    return best;
}

} // namespace featurescope

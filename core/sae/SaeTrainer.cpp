#include "sae/SaeTrainer.h"

#include "sae/SaeInputNormalizer.h"
#include "sae/SaeSchedule.h"

#include "common/InputError.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace featurescope {

namespace {
SaeConfig checkedConfig(const SaeConfig& config, const SaeTrainingConfig& training, const ActivationSource& source)
{
    training.validate(config);
    if (source.dimension() != config.inputDim)
        throw InputError("the SAE input dimension (" + std::to_string(config.inputDim) +
                         ") does not match the activation source's (" + std::to_string(source.dimension()) + ")");
    return config;
}
} // namespace

SaeTrainer::SaeTrainer(const SaeConfig& config, const SaeTrainingConfig& training, const ActivationSource& source)
    : m_source(source),
      m_training(training),
      m_sae(checkedConfig(config, training, source)),
      m_kernel(config, training.path),
      m_random(Rng::deriveSeed(training.seed, 0x5AE))
{
    const int d = config.inputDim;
    // b_dec starts at the data mean; the input scale makes E‖x‖ = √d when the config asks for it.
    Eigen::VectorXd sum = Eigen::VectorXd::Zero(d);
    double normSum = 0.0;
    int seen = 0;
    while (seen < training.initInputs) {
        const int count = std::min(training.batch, training.initInputs - seen);
        m_source.sampleBatch(m_X, count, m_random);
        SaeInputNormalizer::normalize(config.perInputNormalization, m_X); // b_dec starts at the normalised mean
        sum += m_X.cast<double>().rowwise().sum();
        normSum += m_X.colwise().norm().cast<double>().sum();
        seen += count;
    }
    const double meanNorm = normSum / seen;
    float scale = 1.0f;
    if (config.normalizesInputs() && meanNorm > 1e-30 && std::isfinite(meanNorm))
        scale = static_cast<float>(std::sqrt(double(d)) / meanNorm);
    m_sae.setInputScale(scale);
    const Eigen::VectorXf mean = (sum / seen).cast<float>() * scale;
    m_sae.initialise(Rng::deriveSeed(training.seed, 0x1417), mean.allFinite() ? mean : Eigen::VectorXf::Zero(d));

    AdamSettings adam;
    adam.learningRate = training.learningRate;
    m_adam = AdamOptimizer(m_sae.parameters().size(), adam);
    m_gradient.assign(m_sae.parameters().size(), 0.0f);
    m_lastFire.assign(std::size_t(config.latentDim), 0);
    m_kernel.setDeadLatents(&m_auxDead);
    if (config.perInputNormalization != SaeInputNormalization::None)
        m_kernel.setReconstructionTarget(&m_target, &m_weights);
    m_lossHistory.reserve(std::size_t(training.steps));
    m_mseHistory.reserve(std::size_t(training.steps));
    m_l0History.reserve(std::size_t(training.steps));
}

double SaeTrainer::stepsPerSecond() const
{
    return m_trainingSeconds > 0.0 ? m_stepsDone / m_trainingSeconds : 0.0;
}

double SaeTrainer::denseFlopsPerStep() const
{
    return SaeLossKernel::denseFlopsPerStep(config().inputDim, config().latentDim, m_training.batch);
}

double SaeTrainer::sparseStepFraction() const { return m_stepsDone ? double(m_sparseSteps) / m_stepsDone : 0.0; }

double SaeTrainer::currentL1() const
{
    return config().l1 * SaeSchedule::penaltyFactor(config(), m_training, m_stepsDone);
}

double SaeTrainer::currentLearningRate() const { return SaeSchedule::learningRate(m_training, m_stepsDone); }

SaeLossTerms SaeTrainer::evaluateBatch()
{
    const int batch = static_cast<int>(m_X.cols());
    // Parts of at least 128 inputs: smaller ones cost more in thread start-up than they save. BatchTopK selects over
    // the whole batch, so it runs as one part; so does per-input normalisation (its targets and weights are per batch).
    const bool wholeBatch =
        config().selectsOverBatch() || config().perInputNormalization != SaeInputNormalization::None;
    const int parts = wholeBatch ? 1 : std::max(1, std::min(m_training.threads, batch / 128));
    if (parts == 1) {
        const SaeLossTerms terms = m_kernel.evaluate(m_sae, m_X, currentL1(), m_gradient.data());
        m_fireCount = m_kernel.fireCounts();
        return terms;
    }
    // Each part's kernel averages over its own inputs; the batch's loss and gradient are the part-size-weighted
    // means. Part 0 runs on this thread.
    m_parts.resize(std::size_t(parts));
    while (m_partKernels.size() < std::size_t(parts)) {
        m_partKernels.push_back(std::make_unique<SaeLossKernel>(config(), m_training.path));
        m_partKernels.back()->setDeadLatents(&m_auxDead);
    }
    m_partGradients.resize(std::size_t(parts), SparseAutoencoder::ParameterVector(m_gradient.size()));
    std::vector<int> begin(std::size_t(parts) + 1);
    for (int t = 0; t <= parts; ++t)
        begin[std::size_t(t)] = int(std::int64_t(batch) * t / parts);
    for (int t = 0; t < parts; ++t)
        m_parts[std::size_t(t)] = m_X.middleCols(begin[std::size_t(t)], begin[std::size_t(t) + 1] - begin[std::size_t(t)]);
    std::vector<SaeLossTerms> terms(static_cast<std::size_t>(parts));
    const double l1 = currentL1();
    auto run = [&](int t) {
        terms[std::size_t(t)] = m_partKernels[std::size_t(t)]->evaluate(m_sae, m_parts[std::size_t(t)], l1,
                                                                        m_partGradients[std::size_t(t)].data());
    };
    if (!m_pool)
        m_pool = std::make_unique<TaskPool>(m_training.threads);
    m_pool->run(parts, run);
    SaeLossTerms total;
    std::fill(m_gradient.begin(), m_gradient.end(), 0.0f);
    m_fireCount.assign(std::size_t(config().latentDim), 0);
    total.sparsePath = true;
    for (int t = 0; t < parts; ++t) {
        const double weight = double(begin[std::size_t(t) + 1] - begin[std::size_t(t)]) / batch;
        const auto& part = terms[std::size_t(t)];
        total.loss += weight * part.loss;
        total.mse += weight * part.mse;
        total.penalty += weight * part.penalty;
        total.auxLoss += weight * part.auxLoss;
        total.l0 += weight * part.l0;
        total.sparsePath = total.sparsePath && part.sparsePath;
        const float w = float(weight);
        const auto& g = m_partGradients[std::size_t(t)];
        for (std::size_t i = 0; i < m_gradient.size(); ++i)
            m_gradient[i] += w * g[i];
        const auto& fire = m_partKernels[std::size_t(t)]->fireCounts();
        for (std::size_t j = 0; j < m_fireCount.size(); ++j)
            m_fireCount[j] += fire[j];
    }
    return total;
}

void SaeTrainer::drawBatch(int count)
{
    m_source.sampleBatch(m_X, count, m_random);
    const SaeInputNormalization mode = config().perInputNormalization;
    if (mode != SaeInputNormalization::None) {
        const SaeInputNormalizer::Undo undo = SaeInputNormalizer::normalize(mode, m_X);
        SaeInputNormalizer::trainingTarget(mode, m_X, undo, &m_target, &m_weights);
    } else if (m_sae.inputScale() != 1.0f) {
        m_X *= m_sae.inputScale();
    }
}

bool SaeTrainer::step()
{
    const int d = config().inputDim;
    const int dsae = config().latentDim;
    drawBatch(m_training.batch);
    if (config().usesAuxK()) {
        // AuxK's dead latents: silent for more than deadWindow steps (SAELens: n_forward_passes_since_fired >
        // dead_feature_window).
        m_auxDead.clear();
        for (int j = 0; j < dsae; ++j)
            if (m_stepsDone - m_lastFire[std::size_t(j)] > m_training.deadWindow)
                m_auxDead.push_back(j);
    }
    const SaeLossTerms terms = evaluateBatch();
    const float gradientSum =
        Eigen::Map<const Eigen::VectorXf>(m_gradient.data(), Eigen::Index(m_gradient.size())).sum();
    if (!std::isfinite(terms.loss) || !std::isfinite(gradientSum)) {
        m_status = TrainingStatus::Diverged;
        m_message = "training stopped at step " + std::to_string(m_stepsDone) +
                    ": the loss or its gradient became non-finite (try a smaller learning rate or check the "
                    "inputs); the last good weights are kept";
        return false;
    }
    if (config().selectsOverBatch() && m_kernel.batchMinActive() > 0.0f) {
        // SAELens: θ ← (1 − r)θ + r · (smallest kept activation), in double precision; the inference threshold.
        m_threshold = (1.0 - config().thresholdRate) * m_threshold + config().thresholdRate * m_kernel.batchMinActive();
        m_sae.setThreshold(float(m_threshold));
    }
    const auto& fire = m_fireCount;
    for (int j = 0; j < dsae; ++j)
        if (fire[std::size_t(j)] > 0)
            m_lastFire[std::size_t(j)] = m_stepsDone + 1;
    if (m_stepsDone >= m_training.steps - m_training.deadWindow) {
        // The final window of deadWindow steps: the inputs the health metrics are counted over.
        if (m_windowFires.empty())
            m_windowFires.assign(std::size_t(dsae), 0);
        for (int j = 0; j < dsae; ++j)
            m_windowFires[std::size_t(j)] += fire[std::size_t(j)];
        m_windowInputs += m_X.cols();
        ++m_windowSteps;
    }
    if (config().tiedEncoder) {
        // One matrix W = W_dec = W_encᵀ: dL/dW is the sum of both uses; both copies then take the same Adam steps.
        Eigen::Map<Eigen::MatrixXf> dEnc(m_gradient.data() + m_sae.encoderOffset(), d, dsae);
        Eigen::Map<Eigen::MatrixXf> dDec(m_gradient.data() + m_sae.decoderOffset(), d, dsae);
        dDec += dEnc;
        dEnc = dDec;
    }
    if (config().unitNormDecoder()) {
        // Keep ‖W_dec,i‖ = 1: drop the gradient component along each column before Adam, renormalise after.
        const auto dec = m_sae.decoderWeights();
        Eigen::Map<Eigen::MatrixXf> dDec(m_gradient.data() + m_sae.decoderOffset(), d, dsae);
        for (int j = 0; j < dsae; ++j)
            dDec.col(j) -= dDec.col(j).dot(dec.col(j)) * dec.col(j);
    }
    m_adam.setLearningRate(currentLearningRate());
    m_adam.step(m_sae.parameters().data(), m_gradient.data());
    if (config().unitNormDecoder())
        m_sae.normaliseDecoder();
    if (config().tiedEncoder)
        m_sae.encoderColumns() = m_sae.decoderWeights();
    m_lossHistory.push_back(static_cast<float>(terms.loss));
    m_mseHistory.push_back(static_cast<float>(terms.mse));
    m_l0History.push_back(static_cast<float>(terms.l0));
    if (config().usesAuxK()) {
        m_auxHistory.push_back(static_cast<float>(terms.auxLoss));
        m_auxDeadHistory.push_back(static_cast<int>(m_auxDead.size()));
    }
    m_sparseSteps += terms.sparsePath ? 1 : 0;
    ++m_stepsDone;
    if (std::find(m_training.resampleSteps.begin(), m_training.resampleSteps.end(), m_stepsDone) !=
        m_training.resampleSteps.end())
        resampleDeadFeatures(m_training.deadWindow);
    return true;
}

TrainingStatus SaeTrainer::run(ProgressReporter* progress, int stepLimit)
{
    if (m_status == TrainingStatus::Finished || m_status == TrainingStatus::Diverged)
        return m_status;
    m_status = TrainingStatus::Running;
    const int target = stepLimit >= 0 ? std::min(m_training.steps, m_stepsDone + stepLimit) : m_training.steps;
    const auto start = std::chrono::steady_clock::now();
    while (m_stepsDone < target) {
        if (progress && progress->isCancelled()) {
            m_status = TrainingStatus::Cancelled;
            m_message = "training cancelled at step " + std::to_string(m_stepsDone);
            break;
        }
        if (!step())
            break;
        if (progress && m_stepsDone % 64 == 0)
            progress->report(double(m_stepsDone) / std::max(m_training.steps, 1), "training SAE");
    }
    m_trainingSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (m_status == TrainingStatus::Running && m_stepsDone >= m_training.steps) {
        m_status = TrainingStatus::Finished;
        if (progress)
            progress->report(1.0, "SAE trained");
    }
    return m_status;
}

SaeTrainerState SaeTrainer::state() const
{
    SaeTrainerState s;
    s.stepsDone = m_stepsDone;
    s.sparseSteps = m_sparseSteps;
    s.trainingSeconds = m_trainingSeconds;
    s.parameters = m_sae.parameters();
    s.inputScale = m_sae.inputScale();
    s.batchThreshold = m_threshold;
    s.adamFirstMoment = m_adam.firstMoment();
    s.adamSecondMoment = m_adam.secondMoment();
    s.adamSteps = m_adam.stepCount();
    s.rng = m_random.rng.state();
    s.uniform = m_random.uniform.state();
    s.lastFire = m_lastFire;
    s.windowFires = m_windowFires;
    s.windowInputs = m_windowInputs;
    s.windowSteps = m_windowSteps;
    s.lossHistory = m_lossHistory;
    s.mseHistory = m_mseHistory;
    s.l0History = m_l0History;
    s.auxHistory = m_auxHistory;
    s.auxDeadHistory = m_auxDeadHistory;
    for (const SaeResampleEvent& e : m_resampleEvents)
        s.resampleEvents.emplace_back(e.step, e.resampled);
    return s;
}

void SaeTrainer::restore(const SaeTrainerState& s, const std::string& where)
{
    auto fail = [&](const std::string& problem) { return InputError(where + ": " + problem); };
    const std::size_t dsae = std::size_t(config().latentDim);
    const std::size_t steps = std::size_t(s.stepsDone);
    if (s.stepsDone < 0 || s.stepsDone > m_training.steps)
        throw fail("the checkpoint is at step " + std::to_string(s.stepsDone) + ", outside this run's 0 to " +
                   std::to_string(m_training.steps) + " steps");
    if (s.sparseSteps < 0 || s.sparseSteps > s.stepsDone || s.windowSteps < 0 || s.windowSteps > s.stepsDone ||
        s.windowInputs < 0 || s.adamSteps < 0 || s.adamSteps > s.stepsDone)
        throw fail("inconsistent step counts");
    if (s.parameters.size() != m_sae.parameters().size())
        throw fail("the checkpoint holds " + std::to_string(s.parameters.size()) + " parameters, this SAE has " +
                   std::to_string(m_sae.parameters().size()));
    if (s.lastFire.size() != dsae || (!s.windowFires.empty() && s.windowFires.size() != dsae))
        throw fail("the per-latent activity does not match d_sae = " + std::to_string(dsae));
    for (int f : s.lastFire)
        if (f < 0 || f > s.stepsDone)
            throw fail("a latent's last firing step lies outside 0 to " + std::to_string(s.stepsDone));
    for (std::int64_t f : s.windowFires)
        if (f < 0 || f > s.windowInputs)
            throw fail("a latent's window fire count lies outside 0 to the window's inputs");
    const std::size_t auxSteps = config().usesAuxK() ? steps : 0;
    if (s.lossHistory.size() != steps || s.mseHistory.size() != steps || s.l0History.size() != steps ||
        s.auxHistory.size() != auxSteps || s.auxDeadHistory.size() != auxSteps)
        throw fail("the loss histories do not hold one value per step done (" + std::to_string(steps) + ")");
    if (!(s.inputScale > 0.0f) || !std::isfinite(s.inputScale) || !std::isfinite(s.batchThreshold))
        throw fail("the input scale or the threshold is not a positive finite number");
    if (s.uniform.buffered < 0 || s.uniform.buffered > 2 * UniformStream::kLanes)
        throw fail("the random stream's buffer count is out of range");
    SparseAutoencoder restored = m_sae;
    restored.parameters() = s.parameters;
    restored.setInputScale(s.inputScale);
    restored.setThreshold(float(s.batchThreshold));
    if (!restored.isFinite())
        throw fail("the weights hold NaN or infinite values");
    if (!m_adam.restore(s.adamFirstMoment, s.adamSecondMoment, s.adamSteps))
        throw fail("the optimizer state does not match the " + std::to_string(m_sae.parameters().size()) +
                   " parameters");
    m_sae = std::move(restored);
    m_threshold = s.batchThreshold;
    m_random.rng.setState(s.rng);
    m_random.uniform.setState(s.uniform);
    m_stepsDone = s.stepsDone;
    m_sparseSteps = s.sparseSteps;
    m_trainingSeconds = s.trainingSeconds >= 0.0 && std::isfinite(s.trainingSeconds) ? s.trainingSeconds : 0.0;
    m_lastFire = s.lastFire;
    m_windowFires = s.windowFires;
    m_windowInputs = s.windowInputs;
    m_windowSteps = s.windowSteps;
    m_lossHistory = s.lossHistory;
    m_mseHistory = s.mseHistory;
    m_l0History = s.l0History;
    m_auxHistory = s.auxHistory;
    m_auxDeadHistory = s.auxDeadHistory;
    m_resampleEvents.clear();
    for (const auto& [step, resampled] : s.resampleEvents)
        m_resampleEvents.push_back({step, resampled});
    m_status = TrainingStatus::Running;
    m_message.clear();
}

SaeTrainingActivity SaeTrainer::activity() const
{
    SaeTrainingActivity a;
    a.fires = m_windowFires;
    a.inputs = m_windowInputs;
    a.steps = m_windowSteps;
    return a;
}

std::vector<int> SaeTrainer::deadFeatures(int window) const
{
    std::vector<int> dead;
    for (int j = 0; j < config().latentDim; ++j)
        if (m_stepsDone - m_lastFire[std::size_t(j)] >= window)
            dead.push_back(j);
    return dead;
}

int SaeTrainer::resampleDeadFeatures(int window)
{
    const std::vector<int> dead = deadFeatures(window);
    if (dead.empty()) {
        m_resampleEvents.push_back({m_stepsDone, 0});
        return 0;
    }
    const int d = config().inputDim;
    const int dsae = config().latentDim;
    // Score inputs by their reconstruction loss; draw each new direction with probability ∝ loss².
    Eigen::MatrixXf inputs(d, m_training.resampleInputs);
    std::vector<double> cumulative;
    cumulative.reserve(std::size_t(m_training.resampleInputs));
    double total = 0.0;
    SaeLossKernel scorer(config(), SaeComputePath::Automatic);
    for (int begin = 0; begin < m_training.resampleInputs; begin += m_training.batch) {
        const int count = std::min(m_training.batch, m_training.resampleInputs - begin);
        drawBatch(count);
        inputs.middleCols(begin, count) = m_X;
        if (config().perInputNormalization != SaeInputNormalization::None)
            scorer.setReconstructionTarget(&m_target, &m_weights);
        scorer.evaluate(m_sae, m_X, 0.0, nullptr);
        const Eigen::VectorXf errors = scorer.sampleSquaredErrors();
        for (int s = 0; s < count; ++s) {
            const double e = double(errors[s]) / d;
            total += std::isfinite(e) ? e * e : 0.0;
            cumulative.push_back(total);
        }
    }
    std::vector<char> isDead(std::size_t(dsae), 0);
    for (int j : dead)
        isDead[std::size_t(j)] = 1;
    auto enc = m_sae.encoderColumns();
    auto dec = m_sae.decoderWeights();
    double encoderNormSum = 0.0, decoderNormSum = 0.0;
    int alive = 0;
    for (int j = 0; j < dsae; ++j)
        if (!isDead[std::size_t(j)]) {
            encoderNormSum += enc.col(j).norm();
            decoderNormSum += dec.col(j).norm();
            ++alive;
        }
    const float encoderNorm = alive ? float(encoderNormSum / alive) : 1.0f;
    const float decoderNorm = config().unitNormDecoder() ? 1.0f : (alive ? float(decoderNormSum / alive) : 0.1f);
    const Eigen::VectorXf bias = m_sae.decoderBias();
    int resampled = 0;
    for (int j : dead) {
        int pick;
        if (total > 0.0) {
            const double u = m_random.rng.uniform() * total;
            pick = int(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin());
            pick = std::min(pick, m_training.resampleInputs - 1);
        } else {
            pick = int(m_random.rng.below(std::uint64_t(m_training.resampleInputs)));
        }
        Eigen::VectorXf v = inputs.col(pick) - bias;
        const float norm = v.norm();
        if (!(norm > 1e-20f) || !std::isfinite(norm))
            continue;
        v /= norm;
        dec.col(j) = decoderNorm * v;
        enc.col(j) = 0.2f * encoderNorm * v;
        m_sae.encoderBias()[j] = 0.0f;
        m_adam.resetState(m_sae.encoderOffset() + std::size_t(j) * d, std::size_t(d));
        m_adam.resetState(m_sae.encoderBiasOffset() + std::size_t(j), 1);
        m_adam.resetState(m_sae.decoderOffset() + std::size_t(j) * d, std::size_t(d));
        m_lastFire[std::size_t(j)] = m_stepsDone;
        ++resampled;
    }
    m_resampleEvents.push_back({m_stepsDone, resampled});
    return resampled;
}

} // namespace featurescope

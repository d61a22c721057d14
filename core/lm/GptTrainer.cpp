#include "lm/GptTrainer.h"

#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "common/TaskPool.h"
#include "math/AdamOptimizer.h"
#include "math/Rng.h"

#include <chrono>
#include <cmath>

namespace featurescope {

GptTrainer::GptTrainer(GptModel& model, GptTrainingSettings settings) : m_model(model), m_settings(settings)
{
    if (m_settings.warmupSteps < 0)
        m_settings.warmupSteps = std::min(100, m_settings.steps / 10);
}

double GptTrainer::learningRateAt(int step) const
{
    const GptTrainingSettings& s = m_settings;
    if (step < s.warmupSteps)
        return s.learningRate * double(step + 1) / double(s.warmupSteps);
    if (!s.cosine || s.steps <= s.warmupSteps)
        return s.learningRate;
    const double progress = double(step - s.warmupSteps) / double(std::max(1, s.steps - s.warmupSteps - 1));
    const double floor = s.learningRate * s.minLearningRateFraction;
    return floor + 0.5 * (s.learningRate - floor) * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

GptTrainingResult GptTrainer::train(const std::vector<int>& tokens, ProgressReporter* progress)
{
    const GptTrainingSettings& s = m_settings;
    const GptConfig& config = m_model.config();
    if (s.context < 1 || s.context > config.positions)
        throw InputError("the training context (" + std::to_string(s.context) + ") must be in [1, n_positions = " +
                         std::to_string(config.positions) + "]");
    if (tokens.size() < std::size_t(s.context) + 2)
        throw InputError("the corpus has " + std::to_string(tokens.size()) + " tokens, too few for windows of " +
                         std::to_string(s.context + 1));
    GptWeights& weights = m_model.weights();
    std::vector<AdamOptimizer> optimizers;
    for (const GptWeights::Tensor& t : weights.tensors()) {
        AdamSettings a;
        a.learningRate = s.learningRate;
        a.beta1 = s.beta1;
        a.beta2 = s.beta2;
        a.weightDecay = t.isVector ? 0.0 : s.weightDecay;
        optimizers.emplace_back(t.size(), a);
    }
    for (const int id : tokens)
        if (id < 0 || id >= config.vocabSize)
            throw InputError("the corpus holds token id " + std::to_string(id) + ", outside the vocabulary [0, " +
                             std::to_string(config.vocabSize) + ")");
    // Data parallel: each worker runs forward and backward on its share of the batch's windows; the gradients of
    // the shares, weighted by their sizes, sum to the gradient of the whole batch's mean loss.
    const int workers = std::max(1, std::min(s.threads, s.batch));
    struct Worker {
        GptActivations activations;
        GptBackward backward;
        GptWeights gradients;
        RowMatrixF dLogits;
        double loss = 0.0;
    };
    std::vector<Worker> shares(static_cast<std::size_t>(workers));
    for (Worker& w : shares)
        w.gradients = GptWeights(config);
    TaskPool pool(workers);
    GptWeights& gradients = shares[0].gradients;
    std::vector<float> lastGood(weights.data(), weights.data() + weights.size());
    std::vector<int> ids(std::size_t(s.batch) * std::size_t(s.context));
    std::vector<int> targets(ids.size());
    Rng rng(s.seed ^ 0x6c6d747261696eULL);

    GptTrainingResult result;
    const auto start = std::chrono::steady_clock::now();
    for (int step = 0; step < s.steps; ++step) {
        if (progress && progress->isCancelled()) {
            result.cancelled = true;
            result.message = "cancelled after " + std::to_string(step) + " steps";
            break;
        }
        for (int b = 0; b < s.batch; ++b) {
            const std::size_t begin = std::size_t(rng.below(tokens.size() - std::size_t(s.context) - 1));
            for (int t = 0; t < s.context; ++t) {
                ids[std::size_t(b) * s.context + t] = tokens[begin + std::size_t(t)];
                targets[std::size_t(b) * s.context + t] = tokens[begin + std::size_t(t) + 1];
            }
        }
        pool.run(workers, [&](int k) {
            const int first = s.batch * k / workers, last = s.batch * (k + 1) / workers;
            const std::size_t offset = std::size_t(first) * std::size_t(s.context);
            const std::size_t count = std::size_t(last - first) * std::size_t(s.context);
            Worker& w = shares[std::size_t(k)];
            m_model.forward(ids.data() + offset, last - first, s.context, w.activations, nullptr, true);
            const std::vector<int> share(targets.begin() + std::ptrdiff_t(offset),
                                         targets.begin() + std::ptrdiff_t(offset + count));
            w.loss = GptModel::crossEntropy(w.activations.logits, share, &w.dLogits) * double(last - first) / s.batch;
            w.dLogits *= float(double(last - first) / s.batch);
            w.backward.run(m_model, w.activations, w.dLogits, w.gradients);
        });
        double loss = 0.0;
        for (int k = 0; k < workers; ++k) {
            loss += shares[std::size_t(k)].loss;
            if (k > 0)
                for (std::size_t i = 0; i < gradients.size(); ++i)
                    gradients.data()[i] += shares[std::size_t(k)].gradients.data()[i];
        }
        double squared = 0.0;
        for (std::size_t i = 0; i < gradients.size(); ++i)
            squared += double(gradients.data()[i]) * gradients.data()[i];
        if (!std::isfinite(loss) || !std::isfinite(squared)) {
            // The weights of this step already fail: go back to those of the previous step.
            std::copy(lastGood.begin(), lastGood.end(), weights.data());
            result.diverged = true;
            result.message = "training diverged at step " + std::to_string(step + 1) + " (loss " +
                             std::to_string(loss) + "); kept the weights of step " + std::to_string(step);
            break;
        }
        std::copy(weights.data(), weights.data() + weights.size(), lastGood.begin());
        const double norm = std::sqrt(squared);
        if (s.clipNorm > 0.0 && norm > s.clipNorm) {
            const float scale = float(s.clipNorm / norm);
            for (std::size_t i = 0; i < gradients.size(); ++i)
                gradients.data()[i] *= scale;
        }
        const double lr = learningRateAt(step);
        for (std::size_t k = 0; k < optimizers.size(); ++k) {
            const GptWeights::Tensor& t = weights.tensors()[k];
            optimizers[k].setLearningRate(lr);
            optimizers[k].step(weights.data() + t.offset, gradients.data() + t.offset);
        }
        result.losses.push_back(float(loss));
        result.steps = step + 1;
        if (progress)
            progress->report(double(step + 1) / s.steps, "step " + std::to_string(step + 1) + " loss " +
                                                             std::to_string(loss));
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t tail = std::min<std::size_t>(20, result.losses.size());
    for (std::size_t i = result.losses.size() - tail; i < result.losses.size(); ++i)
        result.loss += result.losses[i] / double(tail);
    result.tokensPerSecond =
        result.seconds > 0 ? double(result.steps) * s.batch * s.context / result.seconds : 0.0;
    return result;
}

std::pair<double, std::size_t> GptTrainer::evaluate(const GptModel& model, const std::vector<int>& tokens, int context,
                                                    ProgressReporter* progress)
{
    if (context < 1 || context > model.config().positions)
        throw InputError("the evaluation context (" + std::to_string(context) + ") must be in [1, n_positions = " +
                         std::to_string(model.config().positions) + "]");
    if (tokens.size() < 2)
        throw InputError("the text has fewer than 2 tokens: nothing to predict");
    const std::size_t windows = std::max<std::size_t>(1, (tokens.size() - 1) / std::size_t(context));
    const int length = int(std::min<std::size_t>(std::size_t(context), tokens.size() - 1));
    constexpr int kBatch = 16;
    GptActivations activations;
    std::vector<int> ids, targets;
    double total = 0.0;
    std::size_t counted = 0;
    for (std::size_t first = 0; first < windows; first += kBatch) {
        if (progress && progress->isCancelled())
            throw InputError("cancelled");
        const int batch = int(std::min<std::size_t>(kBatch, windows - first));
        ids.assign(std::size_t(batch) * length, 0);
        targets.assign(ids.size(), 0);
        for (int b = 0; b < batch; ++b)
            for (int t = 0; t < length; ++t) {
                const std::size_t at = (first + std::size_t(b)) * std::size_t(context) + std::size_t(t);
                ids[std::size_t(b) * length + t] = tokens[at];
                targets[std::size_t(b) * length + t] = tokens[at + 1];
            }
        model.forward(ids.data(), batch, length, activations);
        total += GptModel::crossEntropy(activations.logits, targets) * double(ids.size());
        counted += ids.size();
        if (progress)
            progress->report(double(first + std::size_t(batch)) / double(windows));
    }
    return {total / double(counted), counted};
}

} // namespace featurescope

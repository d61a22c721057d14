#include "lm/LmBenchmarks.h"

#include "lm/GptModel.h"
#include "lm/GptTrainer.h"
#include "math/Rng.h"

#include <chrono>

namespace featurescope {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<int> randomIds(std::size_t count, int vocab, std::uint64_t seed)
{
    Rng rng(seed);
    std::vector<int> ids(count);
    for (int& id : ids)
        id = int(rng.below(std::uint64_t(vocab)));
    return ids;
}

} // namespace

double LmBenchmarks::forwardFlops(const GptConfig& c, int batch, int tokens)
{
    const double n = double(batch) * tokens, d = c.width, f = c.inner;
    const double perLayer = 2.0 * n * (d * 3 * d + d * d + 2 * d * f) + 2.0 * 2.0 * double(batch) * tokens * tokens * d;
    return c.layers * perLayer + 2.0 * n * d * c.vocabSize;
}

BenchmarkResult LmBenchmarks::training(int steps, int batch, double& tokensPerSecond)
{
    GptConfig c; // the defaults are the Towards-Monosemanticity-style byte model
    GptWeights w(c);
    w.initialize(1);
    GptModel model(std::move(w));
    GptTrainingSettings s;
    s.batch = batch;
    s.context = c.positions;
    s.steps = steps;
    s.cosine = true; // the schedule scripts/reference/gpt_bench.py times (its cost is negligible either way)
    GptTrainer trainer(model, s);
    const GptTrainingResult r = trainer.train(randomIds(1u << 20, 256, 2));
    BenchmarkResult out;
    out.name = "lm-train";
    out.steps = r.steps;
    out.seconds = r.seconds;
    out.stepsPerSecond = r.seconds > 0 ? r.steps / r.seconds : 0.0;
    out.flopsPerSecond = out.stepsPerSecond * 3.0 * forwardFlops(c, batch, c.positions);
    out.finalLoss = r.loss;
    tokensPerSecond = r.tokensPerSecond;
    return out;
}

namespace {

GptModel gpt2SmallShape(int layers, int tokens)
{
    GptConfig c;
    c.layers = layers;
    c.width = 768;
    c.heads = 12;
    c.inner = 3072;
    c.vocabSize = 50257;
    c.positions = std::max(tokens, 1024);
    GptWeights w(c);
    w.initialize(1);
    return GptModel(std::move(w));
}

BenchmarkResult timeForward(const GptModel& model, const std::vector<int>& ids, int steps, GptActivations& activations,
                            double& tokensPerSecond)
{
    const int tokens = int(ids.size());
    model.forward(ids.data(), 1, tokens, activations); // warm-up: buffers allocated once
    const auto t0 = Clock::now();
    for (int i = 0; i < steps; ++i)
        model.forward(ids.data(), 1, tokens, activations);
    BenchmarkResult out;
    out.steps = steps;
    out.seconds = secondsSince(t0);
    out.stepsPerSecond = out.seconds > 0 ? steps / out.seconds : 0.0;
    out.flopsPerSecond = out.stepsPerSecond * LmBenchmarks::forwardFlops(model.config(), 1, tokens);
    tokensPerSecond = out.stepsPerSecond * tokens;
    return out;
}

} // namespace

BenchmarkResult LmBenchmarks::forwardBf16(int steps, int tokens, double& tokensPerSecond, double& maxRelativeError,
                                          double& meanAbsoluteError, int layers)
{
    GptModel model = gpt2SmallShape(layers, tokens);
    const std::vector<int> ids = randomIds(std::size_t(tokens), model.config().vocabSize, 3);
    GptActivations reference, activations;
    model.forward(ids.data(), 1, tokens, reference);
    model.setBf16(true);
    BenchmarkResult out = timeForward(model, ids, steps, activations, tokensPerSecond);
    out.name = "lm-forward-bf16";
    const Eigen::ArrayXXf difference = (activations.logits - reference.logits).array().abs();
    maxRelativeError = double(difference.maxCoeff()) / double(reference.logits.cwiseAbs().maxCoeff());
    meanAbsoluteError = double(difference.mean());
    return out;
}

BenchmarkResult LmBenchmarks::forward(int steps, int tokens, double& tokensPerSecond, int layers)
{
    const GptModel model = gpt2SmallShape(layers, tokens);
    const std::vector<int> ids = randomIds(std::size_t(tokens), model.config().vocabSize, 3);
    GptActivations activations;
    BenchmarkResult out = timeForward(model, ids, steps, activations, tokensPerSecond);
    out.name = "lm-forward";
    return out;
}

} // namespace featurescope

#include "bench/Benchmarks.h"

#include "sae/SaeTrainer.h"
#include "sae/SyntheticActivationSource.h"
#include "toy/ToyLossKernel.h"
#include "toy/ToyTrainer.h"

#include <Eigen/Core>

#include <chrono>
#include <fstream>
#include <sstream>

namespace featurescope {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
} // namespace

ToyModelConfig Benchmarks::referenceToyConfig(int n, int m, int instances)
{
    ToyModelConfig config;
    config.features = n;
    config.hidden = m;
    config.importanceDecay = 0.9;
    config.featureProbability = ToyModelConfig::sweepProbabilities(n, instances, 1.0 / 20.0);
    return config;
}

BenchmarkResult Benchmarks::toyTraining(const std::string& name, const ToyModelConfig& model, int steps, int batch,
                                        int threads)
{
    TrainingConfig training;
    training.steps = steps + std::max(steps / 10, 1);
    training.batch = batch;
    training.threads = threads;
    training.snapshotCount = 2;
    ToyTrainer trainer(model, training);
    trainer.run(nullptr, std::max(steps / 10, 1)); // warm-up: caches, allocations, page faults
    const auto t0 = Clock::now();
    trainer.run(nullptr, steps);
    BenchmarkResult result;
    result.name = name;
    result.seconds = secondsSince(t0);
    result.steps = steps;
    result.stepsPerSecond = steps / result.seconds;
    double flops = 0.0;
    for (int i = 0; i < model.instances(); ++i)
        flops += ToyLossKernel(model, i, batch).denseFlopsPerStep();
    result.flopsPerSecond = flops * result.stepsPerSecond;
    double loss = 0.0;
    for (double l : trainer.recentLoss())
        loss += l;
    result.finalLoss = loss / model.instances();
    return result;
}

BenchmarkResult Benchmarks::saeTraining(int d, int features, int latents, int batch, int steps)
{
    SyntheticActivationSource::Settings settings;
    settings.features = features;
    settings.dimension = d;
    SyntheticActivationSource source(settings);
    SaeConfig config;
    config.inputDim = d;
    config.latentDim = latents;
    config.l1 = 3e-3;
    SaeTrainingConfig training;
    training.steps = steps;
    training.batch = batch;
    SaeTrainer trainer(config, training, source);
    const auto t0 = Clock::now();
    trainer.run();
    BenchmarkResult result;
    result.name = "sae";
    result.seconds = secondsSince(t0);
    result.steps = steps;
    result.stepsPerSecond = steps / result.seconds;
    result.flopsPerSecond = trainer.denseFlopsPerStep() * result.stepsPerSecond;
    return result;
}

BenchmarkResult Benchmarks::sgemm(int rows, int inner, int cols, double seconds)
{
    Eigen::MatrixXf a = Eigen::MatrixXf::Random(rows, inner);
    Eigen::MatrixXf b = Eigen::MatrixXf::Random(inner, cols);
    Eigen::MatrixXf c(rows, cols);
    c.noalias() = a * b; // warm-up
    int repetitions = 0;
    const auto t0 = Clock::now();
    while (secondsSince(t0) < seconds || repetitions < 3) {
        c.noalias() = a * b;
        ++repetitions;
    }
    BenchmarkResult result;
    result.name = "sgemm";
    result.seconds = secondsSince(t0);
    result.steps = repetitions;
    result.stepsPerSecond = repetitions / result.seconds;
    result.flopsPerSecond = 2.0 * rows * double(inner) * cols * result.stepsPerSecond;
    result.finalLoss = c(0, 0); // keeps the product observable
    return result;
}

double Benchmarks::peakMemoryBytes()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) {
            std::istringstream s(line.substr(6));
            double kb = 0.0;
            s >> kb;
            return kb * 1024.0;
        }
    return 0.0;
}

} // namespace featurescope

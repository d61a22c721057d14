#include "bench/Benchmarks.h"

#include "common/InputError.h"
#include "io/ColumnStatistics.h"
#include "io/NpyFile.h"
#include "math/Sgemm.h"
#include "math/UniformStream.h"
#include "sae/SaeTrainer.h"
#include "sae/SyntheticActivationSource.h"
#include "toy/ToyLossKernel.h"
#include "toy/ToyTrainer.h"

#include <Eigen/Core>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <vector>
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

LargeImportResult Benchmarks::largeNpyImport(const std::string& directory, std::uint64_t bytes)
{
    constexpr std::uint64_t d = 512;
    const std::uint64_t rows = std::max<std::uint64_t>(1, bytes / (4 * d));
    const std::string path = directory + "/featurescope-bench-" + std::to_string(std::random_device{}()) + ".npy";
    LargeImportResult result;
    result.fileBytes = double(rows * d * 4);

    // The .npy v1 header by hand: the writer in NpyFile wants the whole array in memory, and this one is 2 GB.
    std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(d) + "), }";
    const std::size_t unpadded = 10 + dict.size() + 1;
    dict.append((64 - unpadded % 64) % 64, ' ');
    dict.push_back('\n');
    auto t0 = Clock::now();
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (!f)
            throw InputError("cannot create the benchmark file " + path);
        const unsigned char preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                            static_cast<unsigned char>(dict.size() & 0xFF),
                                            static_cast<unsigned char>(dict.size() >> 8)};
        bool ok = std::fwrite(preamble, 1, 10, f) == 10 && std::fwrite(dict.data(), 1, dict.size(), f) == dict.size();
        // Sparse non-negative values like ReLU activations: about a quarter non-zero.
        UniformStream stream(7);
        std::vector<float> block(1 << 22);
        for (std::uint64_t written = 0; ok && written < rows * d;) {
            const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), rows * d - written));
            stream.fill(block.data(), count);
            for (std::size_t i = 0; i < count; ++i)
                block[i] = block[i] < 0.75f ? 0.0f : 4.0f * (block[i] - 0.75f);
            ok = std::fwrite(block.data(), 4, count, f) == count;
            written += count;
        }
        ok = std::fclose(f) == 0 && ok;
        if (!ok) {
            std::remove(path.c_str());
            throw InputError("cannot write the benchmark file " + path + " (disk full?)");
        }
    }
    result.writeSeconds = secondsSince(t0);
    try {
        t0 = Clock::now();
        const ArrayData array = NpyFile::read(path);
        result.openSeconds = secondsSince(t0);
        t0 = Clock::now();
        const ColumnStatistics stats = ColumnStatistics::compute(array);
        result.statisticsSeconds = secondsSince(t0);
        result.statisticsBytesPerSecond = result.fileBytes / result.statisticsSeconds;
        if (stats.rows != rows)
            throw InputError("benchmark file read back with the wrong shape");
        t0 = Clock::now();
        ColumnStatistics::compute(array);
        result.warmStatisticsBytesPerSecond = result.fileBytes / secondsSince(t0);
    } catch (...) {
        std::remove(path.c_str());
        throw;
    }
    std::remove(path.c_str());

    // Plain read bandwidth in the same run: sum a buffer a few times larger than the last-level cache.
    std::vector<float> buffer(std::size_t(1) << 27, 1.0f); // 512 MB
    double best = 0.0;
    for (int repeat = 0; repeat < 3; ++repeat) {
        t0 = Clock::now();
        float lanes[16] = {};
        for (std::size_t i = 0; i < buffer.size(); i += 16)
            for (int l = 0; l < 16; ++l)
                lanes[l] += buffer[i + static_cast<std::size_t>(l)];
        const double seconds = secondsSince(t0);
        volatile float sink = lanes[0];
        (void)sink;
        best = std::max(best, double(buffer.size() * 4) / seconds);
    }
    result.memoryReadBytesPerSecond = best;
    return result;
}

BenchmarkResult Benchmarks::saeTraining(int d, int features, int latents, int batch, int steps, int threads)
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
    training.threads = threads;
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

BenchmarkResult Benchmarks::saeLmTraining(bool topK, int warmup, int steps, double& l0)
{
    SyntheticActivationSource::Settings settings;
    settings.features = 2048;
    settings.dimension = 512;
    SyntheticActivationSource source(settings);
    SaeConfig config;
    config.inputDim = 512;
    config.latentDim = 4096;
    if (topK) {
        config.variant = SaeVariant::TopK;
        config.k = 32;
        config.l1 = 0.0;
    } else {
        // sae_torch.py's 3e-3 is for d = 64; our MSE is a mean over d, so at d = 512 it silences almost every latent
        // (L0 below 0.1). 1e-4 settles at an L0 of about 30, a typical language-model SAE's.
        config.l1 = 1e-4;
    }
    SaeTrainingConfig training;
    training.steps = warmup + steps;
    training.batch = 4096;
    SaeTrainer trainer(config, training, source);
    trainer.run(nullptr, warmup);
    const auto t0 = Clock::now();
    trainer.run();
    BenchmarkResult result;
    result.name = topK ? "sae-lm-topk" : "sae-lm-l1";
    result.seconds = secondsSince(t0);
    result.steps = trainer.stepsDone() - warmup;
    result.stepsPerSecond = result.steps / result.seconds;
    result.flopsPerSecond = trainer.denseFlopsPerStep() * result.stepsPerSecond;
    const std::vector<float>& history = trainer.l0History();
    l0 = 0.0;
    for (std::size_t i = std::size_t(warmup); i < history.size(); ++i)
        l0 += history[i];
    l0 /= std::max<double>(1.0, double(history.size()) - warmup);
    return result;
}

BenchmarkResult Benchmarks::sgemm(int rows, int inner, int cols, double seconds, bool packed)
{
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const RowMajor a = RowMajor::Random(rows, inner);
    const RowMajor b = RowMajor::Random(inner, cols);
    RowMajor c(rows, cols);
    auto product = [&] {
        if (packed)
            Sgemm::multiply(rows, cols, inner, Sgemm::View(a.data(), inner, 1), Sgemm::View(b.data(), cols, 1), c.data(),
                            cols, false);
        else
            c.noalias() = a * b;
    };
    product(); // warm-up
    int repetitions = 0;
    const auto t0 = Clock::now();
    while (secondsSince(t0) < seconds || repetitions < 3) {
        product();
        ++repetitions;
    }
    BenchmarkResult result;
    result.name = packed ? "sgemm-packed" : "sgemm";
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

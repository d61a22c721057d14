#include "lmfeatures/LmFeatureBenchmarks.h"

#include "lm/ByteTokenizer.h"
#include "lm/LanguageModel.h"
#include "lmfeatures/FeatureDashboard.h"
#include "math/Rng.h"
#include "sae/ImportedSae.h"

#include <chrono>
#include <memory>

namespace featurescope {

BenchmarkResult LmFeatureBenchmarks::scan(std::int64_t tokens, int threads, double& tokensPerSecond, double& cardMilliseconds)
{
    using Clock = std::chrono::steady_clock;
    GptConfig c; // the default byte model
    GptWeights w(c);
    w.initialize(1);
    const LanguageModel lm(GptModel(std::move(w)), std::make_shared<ByteTokenizer>());

    SaeLensConfig config;
    config.architecture = SaeLensArchitecture::TopK;
    config.dIn = c.inner;
    config.dSae = 4096;
    config.k = 32;
    Eigen::MatrixXf encoder = Eigen::MatrixXf::Random(config.dSae, config.dIn) * 0.05f;
    Eigen::MatrixXf decoder = encoder.transpose();
    const ImportedSae sae(config, std::move(encoder), Eigen::VectorXf::Zero(config.dSae), std::move(decoder),
                          Eigen::VectorXf::Zero(config.dIn));

    Rng rng(2);
    std::vector<int> ids(static_cast<std::size_t>(tokens));
    for (int& id : ids)
        id = int(rng.below(256));
    FeatureDashboard dashboard(lm, sae, GptHookPoint::parse("blocks.0.mlp.hook_post", c.layers), TransformerLensProcessing::raw());
    DashboardSettings settings;
    settings.context = c.positions;
    settings.maxTokens = std::uint64_t(tokens);
    settings.batch = 16;
    settings.threads = threads;
    settings.maxStoredActivations = std::uint64_t(tokens) * std::uint64_t(config.k) + 1;
    const auto t0 = Clock::now();
    dashboard.scan(ids, settings);
    BenchmarkResult r;
    r.name = "lm-harvest";
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.steps = int(dashboard.windows());
    r.stepsPerSecond = r.seconds > 0 ? dashboard.windows() / r.seconds : 0.0;
    tokensPerSecond = r.seconds > 0 ? double(dashboard.tokensScanned()) / r.seconds : 0.0;
    const auto t1 = Clock::now();
    constexpr int kCards = 32;
    for (int f = 0; f < kCards; ++f)
        r.finalLoss += dashboard.card(f * (config.dSae / kCards)).maxActivation; // keeps the work observable
    cardMilliseconds = 1000.0 * std::chrono::duration<double>(Clock::now() - t1).count() / kCards;
    return r;
}

} // namespace featurescope

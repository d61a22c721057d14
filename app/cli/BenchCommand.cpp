#include "cli/BenchCommand.h"

#include "LatencyProbe.h"
#include "MainWindow.h"
#include "PanelFactory.h"
#include "panels/superposition/SuperpositionPanel.h"
#include "panels/superposition/ToyControlsWidget.h"
#include "bench/Benchmarks.h"
#include "cli/ArgumentParser.h"
#include "common/FigureExporter.h"
#include "common/InputError.h"
#include "common/Panel.h"

#include "lm/LmBenchmarks.h"
#include "lmfeatures/LmFeatureBenchmarks.h"
#include "math/Sgemm.h"

#include <nlohmann/json.hpp>

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLabel>
#include <QTemporaryDir>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

using featurescope::BenchmarkResult;
using featurescope::Benchmarks;

namespace {
std::string cpuModel()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line))
        if (line.rfind("model name", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown";
}

nlohmann::json toJson(const BenchmarkResult& r)
{
    nlohmann::json j{{"name", r.name}, {"steps_per_s", r.stepsPerSecond}, {"seconds", r.seconds}, {"steps", r.steps}};
    if (r.flopsPerSecond > 0)
        j["flops_per_s"] = r.flopsPerSecond;
    j["peak_memory_bytes"] = Benchmarks::peakMemoryBytes();
    return j;
}

BenchmarkResult renderBenchmark(const QString& panelId, int repetitions)
{
    using Clock = std::chrono::steady_clock;
    QTemporaryDir dir;
    std::unique_ptr<Panel> panel(PanelFactory::create(panelId, nullptr));
    panel->prepareForRender();
    ExportOptions options;
    options.logicalSize = QSize(1280, 720);
    const QString path = dir.filePath(QStringLiteral("bench.png"));
    FigureExporter::exportWidget(panel.get(), path, options); // warm-up
    const auto t0 = Clock::now();
    for (int k = 0; k < repetitions; ++k)
        FigureExporter::exportWidget(panel.get(), path, options);
    BenchmarkResult r;
    r.name = "render-" + panelId.toStdString();
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.steps = repetitions;
    r.stepsPerSecond = repetitions / r.seconds;
    return r;
}
// Event-loop stalls while the largest preset trains, the redraw after a parameter change, cold start to the first
// painted window, and memory of the default session.
nlohmann::json guiBenchmark(bool smoke)
{
    nlohmann::json out;
    QElapsedTimer clock;
    clock.start();
    {
        MainWindow window;
        window.setAttribute(Qt::WA_DontShowOnScreen);
        window.show();
        window.repaint();
        out["cold_start_to_painted_ms"] = clock.nsecsElapsed() / 1e6;
        // Let the default session (intro sweep) train, then read the memory.
        auto* panel = qobject_cast<SuperpositionPanel*>(window.panel(QStringLiteral("superposition")));
        if (panel) {
            panel->startTraining();
            QElapsedTimer wait;
            wait.start();
            while (panel->isBusy() && wait.elapsed() < 20000)
                QApplication::processEvents(QEventLoop::AllEvents, 20);
        }
        out["default_session_peak_memory_bytes"] = Benchmarks::peakMemoryBytes();
    }

    SuperpositionPanel panel;
    panel.setAttribute(Qt::WA_DontShowOnScreen);
    panel.resize(1600, 1000);
    panel.show();
    // Largest preset: uniform n=400, m=30 sweep.
    featurescope::ToyPreset largest = featurescope::ToyPreset::byId("sticky"); // uniform n=400, m=30
    largest.steps = smoke ? 200 : 3000;
    panel.controls()->applyPreset(largest);
    LatencyProbe probe(5);
    probe.start();
    panel.startTraining();
    QElapsedTimer run;
    run.start();
    while (panel.isBusy() && run.elapsed() < (smoke ? 5000 : 60000))
        QApplication::processEvents(QEventLoop::AllEvents, 5);
    probe.stop();
    panel.cancelWork();
    panel.waitForTraining();
    out["training_max_stall_ms"] = probe.maxStallMs();
    out["training_stalls_over_50ms"] = probe.stallsOver(50.0);
    out["training_probe_samples"] = probe.samples();

    // A parameter change on an n <= 100 model: time from the change to the redrawn view.
    featurescope::ToyPreset medium = featurescope::ToyPreset::byId("importance"); // n=20, m=5
    medium.steps = 200;
    panel.controls()->applyPreset(medium);
    panel.startTraining();
    panel.waitForTraining();
    QApplication::processEvents();
    double worst = 0.0;
    for (int k = 0; k < 5; ++k) {
        QElapsedTimer redraw;
        redraw.start();
        panel.setSelectedFeature(k);     // a change every view must show
        panel.figureWidget(QStringLiteral("feature-arrows"))->repaint();
        worst = std::max(worst, redraw.nsecsElapsed() / 1e6);
    }
    out["parameter_change_to_repaint_ms"] = worst;
    return out;
}
} // namespace

int BenchCommand::run(const std::vector<std::string>& arguments)
{
    ArgumentParser args("bench", {{"only", true, "comma-separated configurations to run"},
                                  {"threads", true, "threads for multi-instance work (default: all cores)"},
                                  {"smoke", false, "a few steps of each, to prove the benchmark runs (CI)"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << usage() << "\n" << args.helpText();
        return 0;
    }
    const std::set<std::string> known{"tms-small", "tms-medium", "tms-large", "sgemm", "sgemm-packed", "sweep", "sae", "sae-lm", "npy", "render", "gui", "lm-train", "lm-forward", "lm-forward-bf16", "lm-harvest", "dashboard"};
    std::set<std::string> only;
    if (args.has("only")) {
        std::stringstream list(args.text("only"));
        std::string item;
        while (std::getline(list, item, ','))
            if (!known.count(item))
                throw featurescope::InputError("unknown benchmark '" + item + "'");
            else
                only.insert(item);
    }
    auto wanted = [&](const std::string& name) { return only.empty() || only.count(name); };
    const bool smoke = args.flag("smoke");
    const int threads = int(args.integer("threads", std::max(1u, std::thread::hardware_concurrency()), 1, 256));
    const bool json = args.flag("json");
    auto scale = [&](int steps) { return smoke ? std::max(steps / 100, 2) : steps; };

    nlohmann::json results = nlohmann::json::array();
    auto report = [&](const BenchmarkResult& r, const nlohmann::json& extra = {}) {
        nlohmann::json j = toJson(r);
        for (auto it = extra.begin(); it != extra.end(); ++it)
            j[it.key()] = it.value();
        results.push_back(j);
        if (!json) {
            std::printf("%-12s %10.1f steps/s", r.name.c_str(), r.stepsPerSecond);
            if (r.flopsPerSecond > 0)
                std::printf("  %7.1f GFLOP/s", r.flopsPerSecond / 1e9);
            for (auto it = extra.begin(); it != extra.end(); ++it)
                std::printf("  %s=%s", it.key().c_str(), it.value().dump().c_str());
            std::printf("\n");
            std::fflush(stdout);
        }
    };

    double sgemmFlops = 0.0;
    if (wanted("sgemm") || wanted("tms-large")) {
        const auto r = Benchmarks::sgemm(1024, 512, 512, smoke ? 0.05 : 1.0);
        sgemmFlops = r.flopsPerSecond;
        if (wanted("sgemm"))
            report(r, {{"shape", "1024x512 * 512x512"}});
    }
    if (wanted("sgemm-packed"))
        report(Benchmarks::sgemm(1024, 512, 512, smoke ? 0.05 : 1.0, true),
               {{"shape", "1024x512 * 512x512"}, {"kernel", featurescope::Sgemm::kernelName()}});
    // Training benchmarks run on one thread, like the PyTorch reference they are compared with.
    if (wanted("tms-small"))
        report(Benchmarks::toyTraining("tms-small", Benchmarks::referenceToyConfig(5, 2, 8), scale(20000), 1024, 1));
    if (wanted("tms-medium"))
        report(Benchmarks::toyTraining("tms-medium", Benchmarks::referenceToyConfig(20, 5, 8), scale(5000), 1024, 1));
    if (wanted("tms-large")) {
        const auto r = Benchmarks::toyTraining("tms-large", Benchmarks::referenceToyConfig(400, 30, 1), scale(2000), 1024, 1);
        report(r, {{"fraction_of_sgemm", sgemmFlops > 0 ? r.flopsPerSecond / sgemmFlops : 0.0}});
    }
    if (wanted("sweep")) {
        // The sticky-fraction figure: n=400, m=30, 40 sparsities; timed over a part, extrapolated to 10 000 steps.
        auto config = Benchmarks::referenceToyConfig(400, 30, 40);
        config.importanceDecay = 1.0;
        config.featureProbability = featurescope::ToyModelConfig::sweepProbabilities(400, 40, 0.001);
        const auto r = Benchmarks::toyTraining("sweep", config, scale(300), 1024, threads);
        report(r, {{"threads", threads}, {"estimated_seconds_for_10000_steps", 10000.0 / r.stepsPerSecond}});
    }
    // Language models, one thread (the PyTorch reference scripts/reference/gpt_bench.py pins itself to one): the
    // default byte model's training at batch 32, and a GPT-2-small-shaped forward pass over 128 tokens. Our packed
    // kernel (math/Sgemm) does the large products; "gemm" names the micro-kernel this build chose.
    if (wanted("lm-train")) {
        double tokensPerSecond = 0.0;
        const auto r = featurescope::LmBenchmarks::training(scale(200), 32, tokensPerSecond);
        report(r, {{"tokens_per_s", tokensPerSecond}, {"gemm", featurescope::Sgemm::kernelName()}});
    }
    if (wanted("lm-forward")) {
        double tokensPerSecond = 0.0;
        const auto r = featurescope::LmBenchmarks::forward(smoke ? 1 : 10, 128, tokensPerSecond, smoke ? 1 : 12);
        report(r, {{"tokens_per_s", tokensPerSecond}, {"gemm", featurescope::Sgemm::kernelName()}, {"layers", smoke ? 1 : 12}});
    }
    // Only when asked for: the bfloat16 path exists on AVX512_BF16 builds alone.
    if (only.count("lm-forward-bf16")) {
        double tokensPerSecond = 0.0, maxRelative = 0.0, meanAbsolute = 0.0;
        const auto r = featurescope::LmBenchmarks::forwardBf16(smoke ? 1 : 10, 128, tokensPerSecond, maxRelative,
                                                               meanAbsolute, smoke ? 1 : 12);
        report(r, {{"tokens_per_s", tokensPerSecond}, {"gemm", "avx512_bf16 12x32"}, {"layers", smoke ? 1 : 12},
                   {"max_logit_error_relative", maxRelative}, {"mean_logit_error", meanAbsolute}});
    }
    // The feature dashboard: harvest + SAE encode of 1M positions of the default byte model on every core, then
    // the time to open one feature's card.
    if (wanted("lm-harvest") || wanted("dashboard")) {
        double tokensPerSecond = 0.0, cardMilliseconds = 0.0;
        const std::int64_t positions = smoke ? 4096 : 1 << 20;
        const auto r = featurescope::LmFeatureBenchmarks::scan(positions, threads, tokensPerSecond, cardMilliseconds);
        report(r, {{"tokens_per_s", tokensPerSecond}, {"threads", threads}, {"positions", positions},
                   {"seconds_per_million_tokens", 1e6 / tokensPerSecond}, {"sae", "topk k=32, 512 x 4096"},
                   {"dashboard_card_ms", cardMilliseconds}});
    }
    if (wanted("sae")) {
        const auto single = Benchmarks::saeTraining(64, 128, 512, 1024, scale(300));
        report(single);
        if (threads > 1) {
            // The same training with each batch split over all cores: the data-parallel scaling.
            auto parallel = Benchmarks::saeTraining(64, 128, 512, 1024, scale(300), threads);
            parallel.name = "sae-parallel";
            report(parallel, {{"threads", threads}, {"scaling", parallel.stepsPerSecond / single.stepsPerSecond}});
        }
    }
    if (wanted("sae-lm")) {
        // Both recipes the performance goal names; the L1 one after 40 untimed steps, when its codes are sparse.
        for (const bool topK : {true, false}) {
            double l0 = 0.0;
            const auto r = Benchmarks::saeLmTraining(topK, smoke ? 1 : (topK ? 3 : 40), smoke ? 1 : 20, l0);
            report(r, {{"l0", l0}, {"d_in", 512}, {"d_sae", 4096}, {"batch", 4096}});
        }
    }
    if (wanted("npy")) {
        // A 2 GB activation import: memory-mapped open, then one streaming pass of per-feature statistics.
        const auto r = Benchmarks::largeNpyImport(QDir::tempPath().toStdString(),
                                                  smoke ? (std::uint64_t(16) << 20) : (std::uint64_t(2) << 30));
        nlohmann::json entry{{"name", "npy"},
                             {"file_bytes", r.fileBytes},
                             {"open_seconds", r.openSeconds},
                             {"statistics_seconds", r.statisticsSeconds},
                             {"statistics_bytes_per_s", r.statisticsBytesPerSecond},
                             {"warm_statistics_bytes_per_s", r.warmStatisticsBytesPerSecond},
                             {"memory_read_bytes_per_s", r.memoryReadBytesPerSecond},
                             {"fraction_of_memory_bandwidth", r.warmStatisticsBytesPerSecond / r.memoryReadBytesPerSecond}};
        results.push_back(entry);
        if (!json)
            std::printf("npy          %.2f GB: open %.4f s, statistics %.2f s (%.1f GB/s first pass, %.1f GB/s "
                        "mapped = %.2f of memory read bandwidth %.1f GB/s)\n",
                        r.fileBytes / 1e9, r.openSeconds, r.statisticsSeconds, r.statisticsBytesPerSecond / 1e9,
                        r.warmStatisticsBytesPerSecond / 1e9,
                        r.warmStatisticsBytesPerSecond / r.memoryReadBytesPerSecond, r.memoryReadBytesPerSecond / 1e9);
    }
    if (wanted("render"))
        report(renderBenchmark(QStringLiteral("energy"), smoke ? 1 : 10));

    if (wanted("gui")) {
        const auto gui = guiBenchmark(smoke);
        nlohmann::json entry{{"name", "gui"}};
        for (auto it = gui.begin(); it != gui.end(); ++it)
            entry[it.key()] = it.value();
        results.push_back(entry);
        if (!json)
            std::printf("gui          %s\n", gui.dump().c_str());
    }
    if (json) {
        nlohmann::json out{{"machine", {{"cpu", cpuModel()}, {"cores", std::thread::hardware_concurrency()}}},
                           {"smoke", smoke},
                           {"results", results}};
        std::cout << out.dump(2) << "\n";
    }
    return 0;
}

// The experiment layer's session state and configs: every state round-trips exactly, sessions written before the
// layer existed still read, hostile state is refused with one InputError before anything large is allocated, and
// the experiment itself is deterministic and cancellable through its ProgressReporter.
#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "common/SettingsReader.h"
#include "experiments/ControlComparison.h"
#include "experiments/PhaseDiagramState.h"
#include "experiments/SaeExperiment.h"
#include "experiments/SaeExperimentConfig.h"
#include "experiments/SaeRunState.h"
#include "experiments/ScaleLabConfig.h"
#include "experiments/ToyPreset.h"
#include "experiments/ToyRunState.h"
#include "toy/PhaseDiagram.h"
#include "toy/ToyTrainer.h"

#include <nlohmann/json.hpp>

#include <QTest>

#include <cmath>
#include <limits>
#include <sys/resource.h>

using namespace featurescope;
using json = nlohmann::json;

namespace {

long peakResidentKb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

ToyTrainingResult tinyToyRun(ToyModelKind kind = ToyModelKind::ReluOutput)
{
    ToyModelConfig model;
    model.features = 5;
    model.hidden = 2;
    model.kind = kind;
    model.featureProbability = ToyModelConfig::sweepProbabilities(5, 3, 0.05);
    TrainingConfig training;
    training.steps = 120;
    training.batch = 64;
    training.snapshotCount = 4;
    training.threads = 1;
    return ToyTrainer::train(model, training);
}

SaeExperimentConfig tinySae()
{
    SaeExperimentConfig c = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
    c.syntheticFeatures = 32;
    c.syntheticDimension = 16;
    c.sae.latentDim = 48;
    c.training.steps = 60;
    c.training.batch = 128;
    c.evaluationInputs = 512;
    c.training.seed = 5;
    return c;
}

} // namespace

class TestExperimentState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void toyRunRoundTrip_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("relu-output") << int(ToyModelKind::ReluOutput);
        QTest::newRow("untied-abs") << int(ToyModelKind::UntiedAbs);
    }

    void toyRunRoundTrip()
    {
        QFETCH(int, kind);
        const ToyTrainingResult run = tinyToyRun(ToyModelKind(kind));
        std::map<std::string, ArrayData> arrays;
        const json settings = ToyRunState::write(run, arrays);
        // Through text, as a session file stores it.
        const auto back = ToyRunState::read(json::parse(settings.dump()), arrays, "test");
        QCOMPARE(back->model.instanceCount(), run.model.instanceCount());
        for (int i = 0; i < run.model.instanceCount(); ++i) {
            QCOMPARE(back->model.instance(i).W, run.model.instance(i).W);
            QCOMPARE(back->model.instance(i).b, run.model.instance(i).b);
            QCOMPARE(back->model.instance(i).decoder, run.model.instance(i).decoder);
        }
        QCOMPARE(back->lossHistory, run.lossHistory);
        QCOMPARE(back->snapshots.size(), run.snapshots.size());
        QCOMPARE(back->snapshots.back().instances.front().W, run.snapshots.back().instances.front().W);
        QCOMPARE(back->training.steps, run.training.steps);
        QCOMPARE(back->training.batch, run.training.batch);
        QCOMPARE(back->model.config().featureProbability, run.model.config().featureProbability);
    }

    void toyRunMemoryBombIsRefusedBeforeAllocating()
    {
        // A small state whose model claims 100000 x 100000 x 4096: the arrays that would back it are absent.
        const ToyTrainingResult run = tinyToyRun();
        std::map<std::string, ArrayData> arrays;
        json settings = ToyRunState::write(run, arrays);
        settings["model"]["features"] = 100000;
        settings["model"]["hidden"] = 99999;
        settings["model"]["instances"] = 4096;
        const long before = peakResidentKb();
        QVERIFY_THROWS_EXCEPTION(InputError, ToyRunState::read(settings, arrays, "bomb"));
        QVERIFY2(peakResidentKb() - before < 50 * 1024, "reading a hostile state allocated what it claimed");
    }

    void toyRunRejectsNonFiniteAndWrongShapes()
    {
        const ToyTrainingResult run = tinyToyRun();
        std::map<std::string, ArrayData> arrays;
        const json settings = ToyRunState::write(run, arrays);
        auto bad = arrays;
        std::vector<float> w = bad.at("W").toFloatVector();
        w[3] = std::numeric_limits<float>::quiet_NaN();
        bad["W"] = ArrayData::fromFloats(bad.at("W").shape(), w.data());
        try {
            ToyRunState::read(settings, bad, "nan");
            QFAIL("NaN weights were accepted");
        } catch (const InputError& e) {
            QVERIFY(QString::fromUtf8(e.what()).contains(QLatin1String("NaN")));
        }
        bad = arrays;
        bad["b"] = ArrayData::fromFloats({1, 5}, w.data());
        QVERIFY_THROWS_EXCEPTION(InputError, ToyRunState::read(settings, bad, "shape"));
        bad = arrays;
        bad.erase("loss");
        QVERIFY_THROWS_EXCEPTION(InputError, ToyRunState::read(settings, bad, "missing"));
        json lengths = settings;
        lengths["loss_lengths"][0] = 1 << 30;
        QVERIFY_THROWS_EXCEPTION(InputError, ToyRunState::read(lengths, arrays, "lengths"));
    }

    void saeConfigRoundTripAndOldSessions()
    {
        SaeExperimentConfig c = tinySae();
        c.source = SaeExperimentConfig::Source::Toy;
        c.toyProbability = 0.02;
        c.training.threads = 2;
        const json j = c;
        const SaeExperimentConfig back = SaeExperimentConfig::fromJson(json::parse(j.dump()));
        QVERIFY(json(back) == j);
        // The layout sessions had before the experiment layer: no randomized, threads or evaluation_inputs.
        const json old = json::parse(R"({"source": "synthetic",
            "synthetic": {"features": 128, "dimension": 64, "mean_active": 5.0},
            "toy": {"features": 20, "hidden": 5, "probability": 0.05, "steps": 3000},
            "fashion_mnist": {"directory": "/usr/share/datasets/fashion-mnist", "mlp_epochs": 4},
            "sae": {"variant": "tm2023", "latents": 512, "l1": 0.006, "k": 5, "normalize_inputs": false},
            "training": {"steps": 2000, "batch": 256, "learning_rate": 0.003, "seed": 0}})");
        const SaeExperimentConfig migrated = SaeExperimentConfig::fromJson(old);
        QCOMPARE(migrated.evaluationInputs, SaeExperimentConfig::kFinalInputs);
        QCOMPARE(migrated.randomized, false);
        QCOMPARE(migrated.sae.latentDim, 512);
        json hostile = old;
        hostile["sae"]["variant"] = "gated";
        QVERIFY_THROWS_EXCEPTION(InputError, SaeExperimentConfig::fromJson(hostile));
        hostile = old;
        hostile["toy"]["probability"] = 1e-18; // the sampler's overflow case must be refused in core
        QVERIFY_THROWS_EXCEPTION(InputError, SaeExperimentConfig::fromJson(hostile));
    }

    void saeRunStateRoundTripAndHostile()
    {
        SaeExperimentConfig config = tinySae();
        SaeSourceFactory sources;
        const SaeRunResult run = SaeExperiment::train(config, sources, ProgressReporter());
        SaeRunState state;
        state.sae = std::make_shared<SparseAutoencoder>(*run.sae);
        state.lossHistory = run.lossHistory;
        state.activity = run.activity;
        state.step = run.stepsDone;
        std::map<std::string, ArrayData> arrays;
        const json settings = state.write(arrays);
        SaeExperimentConfig restoredConfig = config;
        const SaeRunState back = SaeRunState::read(settings, arrays, restoredConfig);
        QVERIFY(back.sae->parameters() == run.sae->parameters());
        QCOMPARE(back.lossHistory, run.lossHistory);
        // The health window travels with the model, so a restored SAE reports the health it had after training.
        QVERIFY(!run.activity.empty());
        QCOMPARE(back.activity.fires, run.activity.fires);
        QCOMPARE(back.activity.inputs, run.activity.inputs);
        QCOMPARE(back.activity.steps, run.activity.steps);
        SaeSourceFactory again;
        const SaeRunResult restoredRun =
            SaeExperiment::evaluate(restoredConfig, again, back.sae, ProgressReporter(), back.activity);
        QCOMPARE(restoredRun.evaluator->metrics().deadFraction, run.evaluator->metrics().deadFraction);
        QCOMPARE(restoredRun.evaluator->metrics().healthInputs, run.evaluator->metrics().healthInputs);
        {
            std::map<std::string, ArrayData> damaged = arrays;
            std::vector<std::int64_t> tooMany = run.activity.fires;
            tooMany[0] = run.activity.inputs + 1;
            damaged["sae_window_fires"] = ArrayData::fromInts({tooMany.size()}, tooMany.data());
            QVERIFY_THROWS_EXCEPTION(InputError, SaeRunState::read(settings, damaged, restoredConfig));
        }
        {
            // BatchTopK's learned inference threshold is part of the saved model.
            SaeExperimentConfig batchConfig = config;
            batchConfig.sae.variant = SaeVariant::BatchTopK;
            batchConfig.sae.l1 = 0.0;
            const SaeRunResult batchRun = SaeExperiment::train(batchConfig, sources, ProgressReporter());
            QVERIFY(batchRun.sae->threshold() > 0.0f);
            SaeRunState batchState;
            batchState.sae = std::make_shared<SparseAutoencoder>(*batchRun.sae);
            std::map<std::string, ArrayData> batchArrays;
            const json batchSettings = batchState.write(batchArrays);
            SaeExperimentConfig batchRestored = batchConfig;
            const SaeRunState batchBack = SaeRunState::read(batchSettings, batchArrays, batchRestored);
            QCOMPARE(batchBack.sae->threshold(), batchRun.sae->threshold());
            QCOMPARE(batchRestored.sae.variant, SaeVariant::BatchTopK);
        }
        // Claims a huge dictionary with the small parameter array: refused before allocating.
        json huge = settings;
        huge["latent_dim"] = 65536;
        const long before = peakResidentKb();
        QVERIFY_THROWS_EXCEPTION(InputError, SaeRunState::read(huge, arrays, restoredConfig));
        QVERIFY(peakResidentKb() - before < 20 * 1024);
    }

    void controlComparisonRoundTrip()
    {
        ControlComparison c;
        c.latentDim = 4;
        c.steps = 10;
        c.trained.name = "trained MLP";
        c.trained.accuracy = 0.86;
        c.trained.densities = {0.0, 0.01, 0.2, 0.001};
        c.trained.purities = {0.5, 0.7};
        c.trained.coherences = {0.3};
        c.trained.metrics.deadFraction = 0.25;
        c.trained.metrics.densityHistogram = SaeDensityHistogram::of(c.trained.densities); // a view of the densities
        c.shuffled = c.trained;
        c.shuffled.name = "shuffled weights";
        c.shuffled.accuracy = 0.1;
        const ControlComparison back = controlComparisonFromJson(json::parse(json(c).dump()), "control");
        QVERIFY(json(back) == json(c));
        QCOMPARE(back.reading(), c.reading());
        QCOMPARE(back.trained.metrics.densityHistogram.dead, 1);
        json hostile = c;
        hostile["trained"]["densities"] = std::vector<double>(5, 0.1); // more features than the dictionary has
        QVERIFY_THROWS_EXCEPTION(InputError, controlComparisonFromJson(hostile, "control"));
    }

    void phaseDiagramRoundTrip()
    {
        const PhaseDiagramConfig config = PhaseDiagramConfig::standard(2, 3);
        const PhaseDiagramResult result =
            PhaseDiagram::assemble(config, std::vector<PhaseRegion>(9, PhaseRegion::Superposition), std::vector<float>(9, 1.0f));
        const json j = PhaseDiagramState::write(result);
        const PhaseDiagramResult back = PhaseDiagramState::read(SettingsReader(j, "phase"));
        QCOMPARE(back.empirical, result.empirical);
        QCOMPARE(back.analytic, result.analytic);
        json hostile = j;
        hostile["empirical"] = std::vector<int>(10, 1);
        QVERIFY_THROWS_EXCEPTION(InputError, PhaseDiagramState::read(SettingsReader(hostile, "phase")));
    }

    void phaseDiagramCertainty()
    {
        // Three runs per cell: the cell shows the lowest-loss run, and its certainty is the share that agree.
        PhaseDiagramConfig config = PhaseDiagramConfig::standard(3, 2);
        TrainingConfig training;
        training.steps = 300;
        training.batch = 64;
        training.restarts = 3;
        training.snapshotCount = 2;
        const PhaseDiagramResult result = PhaseDiagram::compute(config, training);
        QCOMPARE(result.runsPerCell, 3);
        QCOMPARE(result.certainty.size(), std::size_t(4));
        for (float c : result.certainty)
            QVERIFY(std::abs(c - 1.0f / 3) < 1e-6 || std::abs(c - 2.0f / 3) < 1e-6 || c == 1.0f);
        const json out = PhaseDiagram::toJson(result);
        QCOMPARE(out["runs_per_cell"].get<int>(), 3);
        QVERIFY(out["cells"][0].contains("certainty"));
        QVERIFY(std::abs(out["mean_certainty"].get<double>() - result.meanCertainty()) < 1e-9);
        // Sessions keep it; older sessions without it read as unknown.
        const json j = PhaseDiagramState::write(result);
        const PhaseDiagramResult back = PhaseDiagramState::read(SettingsReader(j, "phase"));
        QCOMPARE(back.certainty, result.certainty);
        QCOMPARE(back.runsPerCell, 3);
        json old = j;
        old.erase("certainty");
        old.erase("runs_per_cell");
        QVERIFY(PhaseDiagramState::read(SettingsReader(old, "phase")).certainty.empty());
        QVERIFY(std::isnan(PhaseDiagramState::read(SettingsReader(old, "phase")).meanCertainty()));
        json hostile = j;
        hostile["certainty"] = std::vector<double>(4, 0.0);
        QVERIFY_THROWS_EXCEPTION(InputError, PhaseDiagramState::read(SettingsReader(hostile, "phase")));
        hostile["certainty"] = std::vector<double>(3, 1.0);
        QVERIFY_THROWS_EXCEPTION(InputError, PhaseDiagramState::read(SettingsReader(hostile, "phase")));
    }

    void progressStagesMapAndCancel()
    {
        std::vector<double> seen;
        ProgressReporter root([&](double f, const std::string&) { seen.push_back(f); });
        {
            const ProgressReporter stage(root, 0.5, 0.75);
            stage.report(0.0);
            stage.report(1.0);
            QVERIFY(!stage.isCancelled());
            root.cancel();
            QVERIFY(stage.isCancelled());
        }
        QCOMPARE(seen, (std::vector<double>{0.5, 0.75}));
    }

    void saeExperimentIsDeterministicAndCancellable()
    {
        const SaeExperimentConfig config = tinySae();
        SaeSourceFactory sources;
        const SaeRunResult a = SaeExperiment::train(config, sources, ProgressReporter());
        const SaeRunResult b = SaeExperiment::train(config, sources, ProgressReporter());
        QVERIFY(a.status == TrainingStatus::Finished);
        QCOMPARE(a.evaluator->metrics().mse, b.evaluator->metrics().mse);
        QCOMPARE(a.evaluator->metrics().mmcs, b.evaluator->metrics().mmcs);
        QVERIFY(a.sae->parameters() == b.sae->parameters());
        // A different seed gives a different SAE: the comparison above is not vacuous.
        SaeExperimentConfig other = config;
        other.training.seed = 6;
        QVERIFY(SaeExperiment::train(other, sources, ProgressReporter()).sae->parameters() != a.sae->parameters());

        SaeExperimentConfig longer = config;
        longer.training.steps = 1000000;
        ProgressReporter progress;
        const SaeRunResult stopped = SaeExperiment::train(longer, sources, progress, [&](const SaeTrainer&, const SaeSource&) {
            progress.cancel();
        });
        QVERIFY(stopped.status == TrainingStatus::Cancelled);
        QVERIFY(stopped.stepsDone < longer.training.steps);
        QVERIFY(stopped.evaluator); // the SAE trained so far is still evaluated

        SaeExperimentConfig toy = config;
        toy.source = SaeExperimentConfig::Source::Toy;
        ProgressReporter cancelled;
        cancelled.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, SaeExperiment::train(toy, sources, cancelled));
    }

    void presetsAreData()
    {
        QVERIFY(ToyPreset::all().size() >= 6);
        QCOMPARE(ToyPreset::byId("sticky").features, 400);
        for (const ToyPreset& p : ToyPreset::all()) {
            p.modelConfig().validate();
            p.trainingConfig().validate(p.features, p.hidden, p.modelConfig().instances());
        }
        QVERIFY_THROWS_EXCEPTION(InputError, ToyPreset::byId("nope"));
    }

    // The toy config has one JSON spelling, shared by sessions, model files and reports.
    void toyConfigSpelling()
    {
        ToyModelConfig config;
        config.features = 7;
        config.hidden = 3;
        config.kind = ToyModelKind::ReluHidden;
        config.importanceDecay = 0.8;
        config.featureProbability = ToyModelConfig::sweepProbabilities(7, 4, 0.1);
        const json j = config;
        QVERIFY(j.contains("features") && j.contains("hidden") && j.contains("kind") && !j.contains("n"));
        std::int64_t instances = 0;
        const ToyModelConfig back = ToyModelConfig::headerFromJson(SettingsReader(j, "t"), instances);
        QCOMPARE(back.features, 7);
        QCOMPARE(back.hidden, 3);
        QCOMPARE(back.kind, ToyModelKind::ReluHidden);
        QCOMPARE(back.importanceDecay, 0.8);
        QCOMPARE(instances, std::int64_t(4));
        json bad = j;
        bad["hidden"] = 0;
        QVERIFY_THROWS_EXCEPTION(InputError, ToyModelConfig::headerFromJson(SettingsReader(bad, "t"), instances));
        bad = j;
        bad["kind"] = "quadratic";
        QVERIFY_THROWS_EXCEPTION(InputError, ToyModelConfig::headerFromJson(SettingsReader(bad, "t"), instances));
    }

    void scaleLabConfigRoundTripAndOldSessions()
    {
        ScaleLabConfig c;
        c.model = ScaleLabConfig::Model::File;
        c.scales = {0.5, 2.0, 8.0};
        c.steps = 321;
        c.seed = 9;
        c.weights = "/tmp/w.safetensors";
        c.tensor = "W_enc";
        c.transpose = true;
        const json j = json::parse(json(c).dump());
        const ScaleLabConfig back = ScaleLabConfig::fromJson(SettingsReader(j, "scale"));
        QCOMPARE(back.model, c.model);
        QCOMPARE(back.scales, c.scales);
        QCOMPARE(back.steps, 321);
        QCOMPARE(back.seed, std::uint64_t(9));
        QCOMPARE(back.weights, c.weights);
        QCOMPARE(back.tensor, c.tensor);
        QVERIFY(back.transpose);
        QVERIFY(json(back) == j);
        // Sessions written before the shared config: the panel's model names and "file" for the weights.
        const json old = {{"model", "untied-toy"}, {"file", "/x.safetensors"}, {"tensor", ""}, {"transpose", false},
                          {"scale_step", 3}};
        const ScaleLabConfig migrated = ScaleLabConfig::fromJson(SettingsReader(old, "scale"));
        QCOMPARE(migrated.model, ScaleLabConfig::Model::UntiedToy);
        QCOMPARE(migrated.weights, std::string("/x.safetensors"));
        QCOMPARE(migrated.steps, ScaleLabConfig().steps);
        for (const json& hostile : {json{{"model", "toy"}, {"scales", json::array()}},
                                    json{{"model", "toy"}, {"scales", {1.0, -2.0}}},
                                    json{{"model", "toy"}, {"steps", 0}},
                                    json{{"model", "cube"}},
                                    json{{"model", 3}}}) {
            QVERIFY_THROWS_EXCEPTION(InputError, ScaleLabConfig::fromJson(SettingsReader(hostile, "scale")));
        }
    }
};

QTEST_GUILESS_MAIN(TestExperimentState)
#include "tst_experiment_state.moc"

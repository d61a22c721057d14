// The GUI and the command line run one definition of each experiment: the same settings and seed through the
// panel's background workers and through `featurescope sae|tms --json` give identical numbers, for every SAE source,
// for both sides of the randomized-weights control, and for a toy-model run.
#include "app/CliRun.h"
#include "core/ScratchFiles.h"

#include "panels/features/SaeTrainingWorker.h"
#include "panels/superposition/ToyTrainingWorker.h"

#include "experiments/SaeExperimentConfig.h"
#include "io/NpyFile.h"
#include "mlp/ImageDataset.h"
#include "toy/ToyModelReport.h"

#include <nlohmann/json.hpp>

#include <QSignalSpy>
#include <QTest>

#include <random>

using featurescope::SaeExperimentConfig;
using json = nlohmann::json;

namespace {

json runJson(const QStringList& arguments)
{
    const CliRun r = CliRun::run(arguments + QStringList{QStringLiteral("--json")}, 600000);
    if (r.exitCode != 0)
        qFatal("featurescope %s failed: %s", qPrintable(arguments.join(u' ')), r.err.constData());
    return json::parse(r.out.toStdString());
}

// Every metric both report, compared exactly: one code path gives bit-identical doubles (JSON keeps 17 digits).
void compareMetrics(const featurescope::SaeDictionaryMetrics& gui, const json& cli)
{
    QCOMPARE(gui.evaluationCount, cli.at("evaluation_inputs").get<int>());
    QCOMPARE(gui.l0, cli.at("l0").get<double>());
    QCOMPARE(gui.mse, cli.at("mse").get<double>());
    QCOMPARE(gui.explainedVariance, cli.at("explained_variance").get<double>());
    QCOMPARE(gui.deadFraction, cli.at("dead_fraction").get<double>());
    QCOMPARE(gui.denseFraction, cli.at("dense_fraction").get<double>());
    QCOMPARE(gui.hasMmcs(), cli.contains("mmcs"));
    if (gui.hasMmcs())
        QCOMPARE(gui.mmcs, cli.at("mmcs").get<double>());
    QCOMPARE(gui.hasLabelPurity(), cli.contains("mean_label_purity"));
    if (gui.hasLabelPurity())
        QCOMPARE(gui.meanLabelPurity, cli.at("mean_label_purity").get<double>());
}

} // namespace

class TestExperimentParity : public QObject {
    Q_OBJECT

private:
    ScratchFiles m_files;

    // The panel's worker with `config`; returns the final snapshot.
    SaeTrainingWorker::Snapshot trainInPanelWorker(const SaeExperimentConfig& config)
    {
        SaeTrainingWorker worker;
        SaeTrainingWorker::Snapshot last;
        connect(&worker, &SaeTrainingWorker::updated, this, [&](const SaeTrainingWorker::Snapshot& s) {
            if (s->final)
                last = s;
        });
        worker.train(config);
        worker.waitForFinished();
        return last;
    }

    static QStringList saeArguments(const SaeExperimentConfig& c)
    {
        QStringList a{QStringLiteral("sae"),
                      QStringLiteral("--source"), QString::fromStdString(SaeExperimentConfig::sourceName(c.source)),
                      QStringLiteral("--seed"), QString::number(c.training.seed),
                      QStringLiteral("--steps"), QString::number(c.training.steps),
                      QStringLiteral("--batch"), QString::number(c.training.batch),
                      QStringLiteral("--lr"), QString::number(c.training.learningRate, 'g', 17),
                      QStringLiteral("--d-sae"), QString::number(c.sae.latentDim),
                      QStringLiteral("--l1"), QString::number(c.sae.l1, 'g', 17),
                      QStringLiteral("--normalize"), c.sae.normalizeInputs ? QStringLiteral("on") : QStringLiteral("off"),
                      QStringLiteral("--eval"), QString::number(c.evaluationInputs)};
        switch (c.source) {
        case SaeExperimentConfig::Source::Synthetic:
            a << QStringLiteral("--features") << QString::number(c.syntheticFeatures) << QStringLiteral("--d")
              << QString::number(c.syntheticDimension);
            break;
        case SaeExperimentConfig::Source::Toy:
            a << QStringLiteral("--features") << QString::number(c.toyFeatures) << QStringLiteral("--d")
              << QString::number(c.toyHidden) << QStringLiteral("--feature-probability")
              << QString::number(c.toyProbability, 'g', 17) << QStringLiteral("--toy-steps") << QString::number(c.toySteps);
            break;
        case SaeExperimentConfig::Source::FashionMnist:
            a << QStringLiteral("--data-dir") << QString::fromStdString(c.dataDirectory) << QStringLiteral("--mlp-epochs")
              << QString::number(c.mlpEpochs);
            if (c.randomized)
                a << QStringLiteral("--randomized");
            break;
        case SaeExperimentConfig::Source::File:
            a << QStringLiteral("--activations") << QString::fromStdString(c.imported->path);
            break;
        case SaeExperimentConfig::Source::AbsorptionToy: // fixed settings, a command-line source
            break;
        }
        return a;
    }

    static SaeExperimentConfig small(SaeExperimentConfig::Source source)
    {
        SaeExperimentConfig c = SaeExperimentConfig::withDefaults(source);
        c.training.seed = 7;
        c.training.steps = 150;
        c.sae.latentDim = 96;
        c.evaluationInputs = 2048;
        c.toySteps = 400;
        c.mlpEpochs = 1;
        return c;
    }

    SaeExperimentConfig fileConfig()
    {
        // 3000 rows of d = 24 with a few sparse directions in them.
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        std::vector<float> rows(3000 * 24, 0.0f);
        for (int r = 0; r < 3000; ++r)
            for (int k = 0; k < 3; ++k)
                rows[std::size_t(r * 24 + int(u(rng) * 24) % 24)] += u(rng);
        const QString path = m_files.path(QStringLiteral("acts.npy"));
        featurescope::NpyFile::write(path.toStdString(), featurescope::ArrayData::fromFloats({3000, 24}, rows.data()));
        SaeExperimentConfig c = small(SaeExperimentConfig::Source::File);
        c.imported = std::make_shared<const featurescope::ImportedActivations>(
            featurescope::ActivationImport::load(path.toStdString()));
        return c;
    }

private Q_SLOTS:
    void saeSources_data()
    {
        QTest::addColumn<int>("source");
        QTest::newRow("synthetic") << int(SaeExperimentConfig::Source::Synthetic);
        QTest::newRow("toy") << int(SaeExperimentConfig::Source::Toy);
        QTest::newRow("file") << int(SaeExperimentConfig::Source::File);
        QTest::newRow("fashion-mnist") << int(SaeExperimentConfig::Source::FashionMnist);
    }

    void saeSources()
    {
        QFETCH(int, source);
        const auto kind = SaeExperimentConfig::Source(source);
        SaeExperimentConfig config = kind == SaeExperimentConfig::Source::File ? fileConfig() : small(kind);
        if (kind == SaeExperimentConfig::Source::FashionMnist &&
            !featurescope::ImageDataset::hasSplit(config.dataDirectory, "train"))
            QSKIP("Fashion-MNIST is not installed (scripts/setup installs dataset-fashion-mnist)");
        const auto gui = trainInPanelWorker(config);
        QVERIFY(gui);
        const json cli = runJson(saeArguments(config));
        QCOMPARE(cli.at("steps_done").get<int>(), gui->step);
        compareMetrics(gui->metrics(), cli);
    }

    void randomizedControl()
    {
        SaeExperimentConfig config = small(SaeExperimentConfig::Source::FashionMnist);
        if (!featurescope::ImageDataset::hasSplit(config.dataDirectory, "train"))
            QSKIP("Fashion-MNIST is not installed (scripts/setup installs dataset-fashion-mnist)");
        SaeTrainingWorker worker;
        SaeTrainingWorker::Control control;
        connect(&worker, &SaeTrainingWorker::controlReady, this, [&](const SaeTrainingWorker::Control& c) { control = c; });
        worker.runControl(config);
        worker.waitForFinished();
        QVERIFY(control);
        compareMetrics(control->trained.metrics, runJson(saeArguments(config)));
        config.randomized = true;
        const json shuffled = runJson(saeArguments(config));
        QVERIFY(shuffled.at("randomized").get<bool>());
        compareMetrics(control->shuffled.metrics, shuffled);
        QCOMPARE(control->shuffled.accuracy, shuffled.at("mlp_test_accuracy").get<double>());
        // The two sides are different networks: the control is not comparing a run with itself.
        QVERIFY(control->trained.accuracy > control->shuffled.accuracy + 0.2);
    }

    void toyRun()
    {
        featurescope::ToyModelConfig model;
        model.features = 6;
        model.hidden = 2;
        model.importanceDecay = 0.9;
        model.featureProbability = featurescope::ToyModelConfig::sweepProbabilities(6, 3, 0.05);
        featurescope::TrainingConfig training;
        training.steps = 600;
        training.seed = 11;
        training.threads = 2;
        ToyTrainingWorker worker;
        ToyTrainingWorker::Result last;
        connect(&worker, &ToyTrainingWorker::updated, this, [&](const ToyTrainingWorker::Result& r) { last = r; });
        worker.start(model, training);
        worker.waitForFinished();
        QVERIFY(last);
        QCOMPARE(last->stepsDone, training.steps);
        const json gui = featurescope::toyTrainingReport(*last, 0.0);
        const json cli = runJson({QStringLiteral("tms"), QStringLiteral("--n"), QStringLiteral("6"), QStringLiteral("--m"),
                                  QStringLiteral("2"), QStringLiteral("--instances"), QStringLiteral("3"),
                                  QStringLiteral("--p-min"), QStringLiteral("0.05"), QStringLiteral("--importance-decay"),
                                  QStringLiteral("0.9"), QStringLiteral("--steps"), QStringLiteral("600"),
                                  QStringLiteral("--seed"), QStringLiteral("11"), QStringLiteral("--threads"),
                                  QStringLiteral("2")});
        QCOMPARE(cli.at("instances").size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i) {
            QVERIFY(gui["instances"][i]["W"] == cli["instances"][i]["W"]);
            QVERIFY(gui["instances"][i]["b"] == cli["instances"][i]["b"]);
            QCOMPARE(gui["instances"][i]["loss"].get<double>(), cli["instances"][i]["loss"].get<double>());
        }
    }
};

QTEST_MAIN(TestExperimentParity)
#include "tst_experiment_parity.moc"

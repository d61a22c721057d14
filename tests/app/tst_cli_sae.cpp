#include "app/CliRun.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

// `featurescope sae` end to end, through the real binary (FEATURESCOPE_BINARY, set by CTest).
class TestCliSae : public QObject {
    Q_OBJECT

private:
    static CliRun runSae(const QStringList& arguments)
    {
        return CliRun::run(QStringList{QStringLiteral("sae")} + arguments);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariable("FEATURESCOPE_BINARY").isEmpty())
            QSKIP("FEATURESCOPE_BINARY is not set (run through ctest)");
    }

    void syntheticJson_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<double>("minMmcs");
        QTest::newRow("tm2023") << QStringList{QStringLiteral("--steps"), QStringLiteral("1500"), QStringLiteral("--l1"),
                                               QStringLiteral("6e-3")}
                                << 0.9;
        QTest::newRow("topk") << QStringList{QStringLiteral("--variant"), QStringLiteral("topk"), QStringLiteral("--k"),
                                             QStringLiteral("5"), QStringLiteral("--steps"), QStringLiteral("1500")}
                              << 0.9;
        QTest::newRow("batchtopk") << QStringList{QStringLiteral("--variant"), QStringLiteral("batchtopk"),
                                                  QStringLiteral("--steps"), QStringLiteral("1500")}
                                   << 0.9;
        QTest::newRow("jumprelu") << QStringList{QStringLiteral("--variant"), QStringLiteral("jumprelu"),
                                                 QStringLiteral("--steps"), QStringLiteral("1500")}
                                  << 0.9;
        QTest::newRow("matryoshka") << QStringList{QStringLiteral("--variant"), QStringLiteral("matryoshka"),
                                                   QStringLiteral("--matryoshka-widths"), QStringLiteral("128,512"),
                                                   QStringLiteral("--steps"), QStringLiteral("1500")}
                                    << 0.9;
        QTest::newRow("jumprelu quadratic") << QStringList{QStringLiteral("--variant"), QStringLiteral("jumprelu"),
                                                           QStringLiteral("--sparsity-loss"), QStringLiteral("quadratic"),
                                                           QStringLiteral("--steps"), QStringLiteral("1500")}
                                            << 0.9;
        QTest::newRow("topk layer_norm, correlated") << QStringList{QStringLiteral("--variant"), QStringLiteral("topk"),
                                                                    QStringLiteral("--normalize"), QStringLiteral("layer_norm"),
                                                                    QStringLiteral("--correlation"), QStringLiteral("0.5"),
                                                                    QStringLiteral("--steps"), QStringLiteral("1500")}
                                                     << 0.9;
        // A per-input mode replaces the fixed scale that jumprelu otherwise always applies.
        QTest::newRow("jumprelu layer_norm") << QStringList{QStringLiteral("--variant"), QStringLiteral("jumprelu"),
                                                            QStringLiteral("--normalize"), QStringLiteral("layer_norm"),
                                                            QStringLiteral("--steps"), QStringLiteral("1500")}
                                             << 0.9;
        QTest::newRow("dense path, few steps") << QStringList{QStringLiteral("--steps"), QStringLiteral("20"),
                                                              QStringLiteral("--path"), QStringLiteral("dense"),
                                                              QStringLiteral("--d-sae"), QStringLiteral("128")}
                                               << 0.0;
    }

    void syntheticJson()
    {
        QFETCH(QStringList, arguments);
        QFETCH(double, minMmcs);
        const CliRun r = runSae(arguments + QStringList{QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonParseError error;
        const QJsonObject j = QJsonDocument::fromJson(r.out, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        for (const char* key : {"d_in", "d_sae", "l0", "mse", "explained_variance", "dead_fraction", "dense_fraction",
                                "ultra_rare_fraction", "ultra_rare_threshold", "dense_threshold", "health_inputs",
                                "health_window", "silent_on_evaluation_fraction", "density_log10_histogram", "mmcs",
                                "mcc", "precision_mean", "recall_mean", "f1_mean", "shrinkage", "steps_per_s",
                                "true_mean_active"})
            QVERIFY2(j.contains(QLatin1String(key)), key);
        // MCC matches one latent per true feature, MMCS lets several share one: once trained (no anti-aligned
        // latents, which MCC's |cosine| would count and MMCS's signed cosine not), MCC ≤ MMCS.
        if (minMmcs > 0.0)
            QVERIFY(j.value(QStringLiteral("mcc")).toDouble() <= j.value(QStringLiteral("mmcs")).toDouble() + 1e-6);
        QVERIFY(j.value(QStringLiteral("mcc")).toDouble() >= minMmcs - 0.05);
        for (const char* key : {"precision_mean", "recall_mean", "f1_mean"}) {
            const double v = j.value(QLatin1String(key)).toDouble();
            QVERIFY2(v >= 0.0 && v <= 1.0, key);
        }
        const double shrinkage = j.value(QStringLiteral("shrinkage")).toDouble();
        QVERIFY2(shrinkage >= 0.0 && (minMmcs == 0.0 || shrinkage > 0.2), qPrintable(QString::number(shrinkage)));
        QCOMPARE(j.value(QStringLiteral("health_window")).toString(), QStringLiteral("training"));
        QCOMPARE(j.value(QStringLiteral("ultra_rare_threshold")).toDouble(), 1e-5);
        QCOMPARE(j.value(QStringLiteral("d_in")).toInt(), 64);
        QVERIFY(!j.contains(QStringLiteral("mean_label_purity")));
        // BatchTopK and Matryoshka report the inference threshold they learned; the others have none.
        const bool batchThreshold =
            arguments.contains(QStringLiteral("batchtopk")) || arguments.contains(QStringLiteral("matryoshka"));
        QCOMPARE(j.contains(QStringLiteral("threshold")), batchThreshold);
        if (batchThreshold)
            QVERIFY(j.value(QStringLiteral("threshold")).toDouble() > 0.0);
        if (arguments.contains(QStringLiteral("matryoshka")))
            QCOMPARE(j.value(QStringLiteral("matryoshka_widths")).toArray().size(), 2);
        if (arguments.contains(QStringLiteral("quadratic")))
            QCOMPARE(j.value(QStringLiteral("target_l0")).toDouble(), 5.0);
        const int normalizeAt = int(arguments.indexOf(QStringLiteral("--normalize")));
        if (normalizeAt >= 0)
            QCOMPARE(j.value(QStringLiteral("normalize_activations")).toString(), arguments.at(normalizeAt + 1));
        QVERIFY(j.value(QStringLiteral("mmcs")).toDouble() >= minMmcs);
        QVERIFY(j.value(QStringLiteral("steps_per_s")).toDouble() > 0.0);
        const QJsonObject histogram = j.value(QStringLiteral("density_log10_histogram")).toObject();
        int total = histogram.value(QStringLiteral("dead")).toInt();
        for (const auto& c : histogram.value(QStringLiteral("counts")).toArray())
            total += c.toInt();
        QCOMPARE(total, j.value(QStringLiteral("d_sae")).toInt());
    }

    // The Chanin et al. toy: the untied SAE absorbs the parent into the child's latent, the tied one does not.
    void absorptionToy()
    {
        double rate[2] = {-1.0, -1.0};
        for (int tied = 0; tied < 2; ++tied) {
            QStringList arguments{QStringLiteral("--source"), QStringLiteral("absorption-toy"), QStringLiteral("--json")};
            if (tied)
                arguments << QStringLiteral("--tied");
            const CliRun r = runSae(arguments);
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const QJsonObject j = QJsonDocument::fromJson(r.out).object();
            QCOMPARE(j.value(QStringLiteral("d_in")).toInt(), 50);
            QCOMPARE(j.value(QStringLiteral("tied")).toBool(), tied == 1);
            QVERIFY(j.contains(QStringLiteral("absorption_rate")));
            rate[tied] = j.value(QStringLiteral("absorption_rate")).toDouble();
            // Every latent fires at its feature's rate, the parent's at p = 0.25: none is dense.
            QCOMPARE(j.value(QStringLiteral("dense_fraction")).toDouble(), 0.0);
        }
        QVERIFY2(rate[0] > 0.5, qPrintable(QString::number(rate[0])));
        QVERIFY2(rate[1] >= 0.0 && rate[1] < 0.05, qPrintable(QString::number(rate[1])));
        const CliRun bad = runSae({QStringLiteral("--source"), QStringLiteral("absorption-toy"), QStringLiteral("--d"),
                                   QStringLiteral("8")});
        QCOMPARE(bad.exitCode, 2);
        QCOMPARE(bad.err.count('\n'), 1);
    }

    void toySource()
    {
        const CliRun r = runSae({QStringLiteral("--source"), QStringLiteral("toy"), QStringLiteral("--steps"),
                                 QStringLiteral("300"), QStringLiteral("--toy-steps"), QStringLiteral("500"),
                                 QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value(QStringLiteral("d_in")).toInt(), 5);
        QCOMPARE(j.value(QStringLiteral("d_sae")).toInt(), 80);
        QVERIFY(j.contains(QStringLiteral("mmcs")));
    }

    // The health fields are defined in --help; the thresholds can be set.
    void healthDefinitionsAndThresholds()
    {
        const CliRun help = runSae({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char* key : {"dead_fraction", "ultra_rare_fraction", "dense_fraction", "health_window",
                                "silent_on_evaluation_fraction", "--ultra-rare", "--dense-threshold", "--aux-k", "mcc",
                                "precision_mean", "recall_mean", "f1_mean", "shrinkage", "Hungarian", "absorption_rate",
                                "--tied", "absorption-toy"})
            QVERIFY2(help.out.contains(key), key);
        const CliRun r = runSae({QStringLiteral("--steps"), QStringLiteral("50"), QStringLiteral("--d-sae"),
                                 QStringLiteral("64"), QStringLiteral("--ultra-rare"), QStringLiteral("0.5"),
                                 QStringLiteral("--dense-threshold"), QStringLiteral("0.9"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value(QStringLiteral("ultra_rare_threshold")).toDouble(), 0.5);
        QCOMPARE(j.value(QStringLiteral("dense_threshold")).toDouble(), 0.9);
        QCOMPARE(j.value(QStringLiteral("health_inputs")).toInt(), 50 * 256); // 50 steps < the 1000-step window
        const CliRun bad = runSae({QStringLiteral("--ultra-rare"), QStringLiteral("2")});
        QCOMPARE(bad.exitCode, 2);
        // 0 is not a threshold: the default ("relative to the data") is what omitting the option gives.
        const CliRun zero = runSae({QStringLiteral("--dense-threshold"), QStringLiteral("0")});
        QCOMPARE(zero.exitCode, 2);
        QVERIFY2(zero.err.contains("--dense-threshold") && zero.err.count('\n') == 1, zero.err.constData());
    }

    // Without --dense-threshold, dense means "more often than the densest true feature" on synthetic data
    // (p_0 = 5 x 0.01 / (1 - 0.99^128) for 128 features, 5 active per input): healthy latents, which fire near their
    // features' rates (3.9 % on average), are not dense, while a fixed 1 % would flag a third of them.
    void denseRelativeToTheDataByDefault()
    {
        const CliRun r = runSae({QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        const double p0 = 5.0 * 0.01 / (1.0 - std::pow(0.99, 128));
        const double margin = 3.0 * std::sqrt(p0 * (1.0 - p0) / j.value(QStringLiteral("health_inputs")).toDouble());
        QCOMPARE(j.value(QStringLiteral("health_inputs")).toInt(), 256000);
        QVERIFY(std::abs(j.value(QStringLiteral("dense_threshold")).toDouble() - (p0 + margin)) < 1e-12);
        QVERIFY2(j.value(QStringLiteral("dense_fraction")).toDouble() < 0.02,
                 qPrintable(QString::number(j.value(QStringLiteral("dense_fraction")).toDouble())));
        const CliRun fixed = runSae({QStringLiteral("--dense-threshold"), QStringLiteral("0.01"), QStringLiteral("--json")});
        QVERIFY2(fixed.exitCode == 0, fixed.err.constData());
        const QJsonObject f = QJsonDocument::fromJson(fixed.out).object();
        QCOMPARE(f.value(QStringLiteral("dense_threshold")).toDouble(), 0.01);
        QVERIFY2(f.value(QStringLiteral("dense_fraction")).toDouble() > 0.2,
                 qPrintable(QString::number(f.value(QStringLiteral("dense_fraction")).toDouble())));
    }

    void humanSummary()
    {
        const CliRun r = runSae({QStringLiteral("--steps"), QStringLiteral("10"), QStringLiteral("--d-sae"),
                                 QStringLiteral("64")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("MMCS"));
        QVERIFY(r.out.contains("steps/s"));
    }

    void fashionMnist()
    {
        if (!QFileInfo::exists(QStringLiteral("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")))
            QSKIP("Fashion-MNIST is not installed");
        const CliRun r = runSae({QStringLiteral("--source"), QStringLiteral("fashion-mnist"), QStringLiteral("--randomized"),
                                 QStringLiteral("--steps"), QStringLiteral("200"), QStringLiteral("--mlp-epochs"),
                                 QStringLiteral("1"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j.value(QStringLiteral("d_in")).toInt(), 128);
        QVERIFY(j.contains(QStringLiteral("mean_label_purity")));
        QVERIFY(!j.contains(QStringLiteral("mmcs")));
        QVERIFY(j.value(QStringLiteral("randomized")).toBool());
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << QStringLiteral("unknown option");
        QTest::newRow("unknown source") << QStringList{QStringLiteral("--source"), QStringLiteral("cifar")} << QStringLiteral("unknown source");
        QTest::newRow("unknown variant") << QStringList{QStringLiteral("--variant"), QStringLiteral("gated")} << QStringLiteral("unknown SAE variant");
        QTest::newRow("sparsity loss without jumprelu") << QStringList{QStringLiteral("--sparsity-loss"), QStringLiteral("tanh")} << QStringLiteral("--sparsity-loss applies");
        QTest::newRow("unknown sparsity loss") << QStringList{QStringLiteral("--variant"), QStringLiteral("jumprelu"), QStringLiteral("--sparsity-loss"), QStringLiteral("l1")} << QStringLiteral("expects step, tanh or quadratic");
        QTest::newRow("jumprelu unnormalised") << QStringList{QStringLiteral("--variant"), QStringLiteral("jumprelu"), QStringLiteral("--normalize"), QStringLiteral("off")} << QStringLiteral("always normalises");
        QTest::newRow("negative l1") << QStringList{QStringLiteral("--l1"), QStringLiteral("-1")} << QStringLiteral("--l1");
        QTest::newRow("k above d_sae") << QStringList{QStringLiteral("--variant"), QStringLiteral("topk"), QStringLiteral("--d-sae"), QStringLiteral("8"), QStringLiteral("--k"), QStringLiteral("9")} << QStringLiteral("--k");
        QTest::newRow("zero batch") << QStringList{QStringLiteral("--batch"), QStringLiteral("0")} << QStringLiteral("--batch");
        QTest::newRow("not a number") << QStringList{QStringLiteral("--steps"), QStringLiteral("many")} << QStringLiteral("--steps");
        QTest::newRow("file source") << QStringList{QStringLiteral("--source"), QStringLiteral("file"), QStringLiteral("--activations"), QStringLiteral("x.npy")} << QStringLiteral("x.npy: file not found");
        QTest::newRow("sae dir") << QStringList{QStringLiteral("--sae"), QStringLiteral("dir")} << QStringLiteral("--sae needs --activations");
        QTest::newRow("randomized on synthetic") << QStringList{QStringLiteral("--randomized")} << QStringLiteral("--source fashion-mnist");
        QTest::newRow("missing data dir") << QStringList{QStringLiteral("--source"), QStringLiteral("fashion-mnist"), QStringLiteral("--data-dir"), QStringLiteral("/nonexistent")} << QStringLiteral("/nonexistent");
        QTest::newRow("matryoshka widths decreasing") << QStringList{QStringLiteral("--variant"), QStringLiteral("matryoshka"), QStringLiteral("--matryoshka-widths"), QStringLiteral("64,32")} << QStringLiteral("strictly increasing");
        QTest::newRow("matryoshka width above d_sae") << QStringList{QStringLiteral("--variant"), QStringLiteral("matryoshka"), QStringLiteral("--matryoshka-widths"), QStringLiteral("64,9999")} << QStringLiteral("--matryoshka-widths");
        QTest::newRow("widths without matryoshka") << QStringList{QStringLiteral("--matryoshka-widths"), QStringLiteral("64")} << QStringLiteral("applies to --variant matryoshka");
        QTest::newRow("target-l0 without quadratic") << QStringList{QStringLiteral("--variant"), QStringLiteral("jumprelu"), QStringLiteral("--target-l0"), QStringLiteral("4")} << QStringLiteral("--target-l0 applies");
        QTest::newRow("unknown normalisation") << QStringList{QStringLiteral("--normalize"), QStringLiteral("batch_norm")} << QStringLiteral("constant_norm_rescale");
        QTest::newRow("correlation of 1") << QStringList{QStringLiteral("--correlation"), QStringLiteral("1")} << QStringLiteral("--correlation");
        QTest::newRow("magnitude std negative") << QStringList{QStringLiteral("--magnitude-std"), QStringLiteral("-1")} << QStringLiteral("--magnitude-std");
        QTest::newRow("correlation on toy") << QStringList{QStringLiteral("--source"), QStringLiteral("toy"), QStringLiteral("--correlation"), QStringLiteral("0.3")} << QStringLiteral("need --source synthetic");
        QTest::newRow("checkpoint dir alone") << QStringList{QStringLiteral("--checkpoint-dir"), QStringLiteral("ck")} << QStringLiteral("go together");
        QTest::newRow("resume from nowhere") << QStringList{QStringLiteral("--resume"), QStringLiteral("/nonexistent/ck")} << QStringLiteral("/nonexistent/ck");
        QTest::newRow("huge sae") << QStringList{QStringLiteral("--d"), QStringLiteral("4096"), QStringLiteral("--d-sae"), QStringLiteral("1000000")} << QStringLiteral("d_in x d_sae");
    }

    // --checkpoint-every N then --resume: the resumed run ends where the straight run does; a damaged checkpoint is
    // one error line and exit 2.
    void checkpointAndResume()
    {
        const QStringList base = {QStringLiteral("--variant"), QStringLiteral("topk"), QStringLiteral("--steps"),
                                  QStringLiteral("60"), QStringLiteral("--batch"), QStringLiteral("256"),
                                  QStringLiteral("--d-sae"), QStringLiteral("128"), QStringLiteral("--eval"),
                                  QStringLiteral("1024"), QStringLiteral("--json")};
        const CliRun straight = runSae(base);
        QVERIFY2(straight.exitCode == 0, straight.err.constData());
        const QString dir = m_dir.filePath(QStringLiteral("checkpoints"));
        const CliRun writing = runSae(base + QStringList{QStringLiteral("--checkpoint-every"), QStringLiteral("20"),
                                                         QStringLiteral("--checkpoint-dir"), dir});
        QVERIFY2(writing.exitCode == 0, writing.err.constData());
        QVERIFY(QFile::exists(dir + QStringLiteral("/step_40/trainer_state.json")));
        QVERIFY(QFile::exists(dir + QStringLiteral("/step_60/sae_weights.safetensors")));
        const CliRun resumed = runSae(base + QStringList{QStringLiteral("--resume"), dir + QStringLiteral("/step_20")});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        const QJsonObject a = QJsonDocument::fromJson(straight.out).object(), b = QJsonDocument::fromJson(resumed.out).object();
        for (const char* key : {"final_loss", "mse", "l0", "mmcs", "mcc"})
            QVERIFY2(std::abs(a.value(QLatin1String(key)).toDouble() - b.value(QLatin1String(key)).toDouble()) <= 1e-6,
                     key);
        QCOMPARE(b.value(QStringLiteral("steps_done")).toInt(), 60);
        QCOMPARE(b.value(QStringLiteral("resumed_from")).toString(), dir + QStringLiteral("/step_20"));
        // Another run's checkpoint, and a damaged one.
        const CliRun other = runSae(base + QStringList{QStringLiteral("--k"), QStringLiteral("7"), QStringLiteral("--resume"), dir});
        QCOMPARE(other.exitCode, 2);
        QVERIFY2(other.err.contains("another run"), other.err.constData());
        QFile state(dir + QStringLiteral("/step_20/trainer_state.safetensors"));
        QVERIFY(state.open(QIODevice::ReadWrite));
        state.resize(state.size() / 3);
        state.close();
        const CliRun damaged = runSae(base + QStringList{QStringLiteral("--resume"), dir + QStringLiteral("/step_20")});
        QCOMPARE(damaged.exitCode, 2);
        QVERIFY2(damaged.err.contains("trainer_state.safetensors"), damaged.err.constData());
        QVERIFY(!QString::fromUtf8(damaged.err).trimmed().contains(QLatin1Char('\n')));
    }

    void badArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, message);
        const CliRun r = runSae(arguments);
        QCOMPARE(r.exitCode, 2);
        const QString err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY2(!err.contains(QLatin1Char('\n')), qPrintable(err)); // one line
        QVERIFY(r.out.isEmpty());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCliSae)
#include "tst_cli_sae.moc"

#include "common/InputError.h"
#include "io/NpyFile.h"
#include "io/SafetensorsFile.h"
#include "toy/ToyModelFile.h"
#include "sae/ActivationExport.h"
#include "sae/ActivationImport.h"
#include "sae/ImportedSaeEvaluator.h"
#include "sae/SaeEvaluator.h"
#include "sae/SaeLensExporter.h"
#include "sae/SaeLensLoader.h"
#include "sae/SaeMetricsExport.h"
#include "toy/ToyModel.h"

#include "core/GoldenData.h"
#include "core/ScratchFiles.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <filesystem>

using namespace featurescope;

namespace {

const QString kGolden = QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/golden/");

// Rows of a JSON [N][d] array as a d x N matrix (one input per column).
Eigen::MatrixXf columns(const QJsonArray& rows)
{
    const int n = int(rows.size()), d = int(rows[0].toArray().size());
    Eigen::MatrixXf m(d, n);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < d; ++c)
            m(c, r) = float(rows[r].toArray()[c].toDouble());
    return m;
}

Eigen::MatrixXf goldenInputs()
{
    const ArrayData a = NpyFile::read((kGolden + QStringLiteral("saelens/inputs.npy")).toStdString());
    Eigen::MatrixXf X(Eigen::Index(a.shape()[1]), Eigen::Index(a.shape()[0]));
    a.toFloat(X.data());
    return X;
}

Eigen::MatrixXf randomInputs(int d, int n, unsigned seed)
{
    std::srand(seed);
    return Eigen::MatrixXf::Random(d, n);
}

void copyDirectory(const QString& from, const QString& to)
{
    std::filesystem::copy(from.toStdString(), to.toStdString(), std::filesystem::copy_options::recursive |
                                                                    std::filesystem::copy_options::overwrite_existing);
}

QByteArray bytesOf(const std::string& s) { return QByteArray(s.data(), qsizetype(s.size())); }

} // namespace

class TestSaeLens : public QObject {
    Q_OBJECT

private:
    ScratchFiles m_files;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_files.isValid()); }

    void golden_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("architecture");
        QTest::addColumn<bool>("preV6");
        QTest::addColumn<bool>("convertible");
        QTest::addColumn<float>("tolerance"); // exact dyadic arithmetic, except where a square root appears
        QTest::newRow("standard v6") << "standard_v6" << int(SaeLensArchitecture::Standard) << false << true << 1e-6f;
        QTest::newRow("jumprelu v6 bf16") << "jumprelu_v6" << int(SaeLensArchitecture::JumpReLU) << false << false << 1e-6f;
        QTest::newRow("topk v6 rescaled") << "topk_v6" << int(SaeLensArchitecture::TopK) << false << true << 2e-6f;
        QTest::newRow("topk pre-6 layer_norm f16") << "topk_pre6" << int(SaeLensArchitecture::TopK) << true << false << 2e-5f;
        QTest::newRow("standard pre-6 scaled") << "standard_pre6_scaled" << int(SaeLensArchitecture::Standard) << true
                                               << false << 2e-5f;
    }

    // Encode/decode match the values the stdlib Python script computed independently with SAELens's formulas.
    void golden()
    {
        QFETCH(QString, name);
        QFETCH(int, architecture);
        QFETCH(bool, preV6);
        QFETCH(bool, convertible);
        QFETCH(float, tolerance);
        const ImportedSae sae = SaeLensLoader::load((kGolden + QStringLiteral("saelens/") + name).toStdString());
        QCOMPARE(int(sae.config().architecture), architecture);
        QCOMPARE(sae.config().preV6Layout, preV6);
        QCOMPARE(sae.inputDim(), 4);
        QCOMPARE(sae.latentDim(), 6);
        QVERIFY(!sae.config().hookName.empty());
        const QJsonObject e = expectedJson().value(QStringLiteral("saelens/") + name).toObject();
        const Eigen::MatrixXf X = goldenInputs();
        const Eigen::MatrixXf wantCodes = columns(e.value(QStringLiteral("codes")).toArray());
        const Eigen::MatrixXf wantRecon = columns(e.value(QStringLiteral("reconstructions")).toArray());
        Eigen::MatrixXf codes;
        const Eigen::MatrixXf recon = sae.reconstruct(X, &codes);
        QVERIFY2((codes - wantCodes).cwiseAbs().maxCoeff() <= tolerance,
                 qPrintable(QString::number((codes - wantCodes).cwiseAbs().maxCoeff())));
        QVERIFY2((recon - wantRecon).cwiseAbs().maxCoeff() <= tolerance,
                 qPrintable(QString::number((recon - wantRecon).cwiseAbs().maxCoeff())));
        QVERIFY((sae.encode(X) - codes).cwiseAbs().maxCoeff() == 0.0f);
        QVERIFY((codes.array() > 0).count() > 0); // the golden data exercises active features
        if (e.value(QStringLiteral("log_sparsity")).isArray())
            QCOMPARE(sae.logSparsity().size(), Eigen::Index(6));
        else
            QCOMPARE(sae.logSparsity().size(), Eigen::Index(0));

        // Conversion to our SparseAutoencoder: the same function, so SaeEvaluator runs on it unchanged.
        std::string reason;
        const auto converted = sae.toSparseAutoencoder(&reason);
        QCOMPARE(bool(converted), convertible);
        if (!converted) {
            QVERIFY(!reason.empty());
            return;
        }
        QVERIFY((converted->encode(X) - codes).cwiseAbs().maxCoeff() <= 1e-5f);
        QVERIFY((converted->decode(converted->encode(X)) - recon).cwiseAbs().maxCoeff() <= 1e-5f);
    }

    // ImportedSaeEvaluator and SaeEvaluator give the same metrics for SAEs both can run.
    void evaluatorsAgree_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("standard") << "standard_v6";
        QTest::newRow("topk") << "topk_v6";
    }

    void evaluatorsAgree()
    {
        QFETCH(QString, name);
        const ImportedSae sae = SaeLensLoader::load((kGolden + QStringLiteral("saelens/") + name).toStdString());
        EvaluationSet set;
        set.activations = randomInputs(4, 300, 3);
        set.labels.resize(300);
        for (int i = 0; i < 300; ++i)
            set.labels[std::size_t(i)] = i % 3;
        set.classCount = 3;
        SaeEvaluationOptions options;
        options.topK = 5;
        const SaeEvaluator reference(*sae.toSparseAutoencoder(), set, {}, options);
        const ImportedSaeEvaluator imported(sae, set, {}, options);
        const auto& a = reference.metrics();
        const auto& b = imported.metrics();
        QCOMPARE(b.evaluationCount, a.evaluationCount);
        QVERIFY(std::abs(a.l0 - b.l0) < 1e-9);
        QVERIFY(std::abs(a.mse - b.mse) < 1e-6 * (1 + a.mse));
        QVERIFY(std::abs(a.explainedVariance - b.explainedVariance) < 1e-6);
        QCOMPARE(b.deadFraction, a.deadFraction);
        QCOMPARE(b.denseFraction, a.denseFraction);
        QCOMPARE(b.densityHistogram.counts, a.densityHistogram.counts);
        QVERIFY(std::abs(a.meanLabelPurity - b.meanLabelPurity) < 1e-9);
        QVERIFY(std::abs(a.meanCoherence - b.meanCoherence) < 1e-6);
        QCOMPARE(imported.densities(), reference.densities());
    }

    void jumpReluMetrics()
    {
        const ImportedSae sae = SaeLensLoader::load((kGolden + QStringLiteral("saelens/jumprelu_v6")).toStdString());
        EvaluationSet set;
        set.activations = goldenInputs();
        const ImportedSaeEvaluator evaluator(sae, set);
        const auto expected = expectedJson().value(QStringLiteral("saelens/jumprelu_v6")).toObject();
        const Eigen::MatrixXf codes = columns(expected.value(QStringLiteral("codes")).toArray());
        QCOMPARE(evaluator.metrics().evaluationCount, 5);
        QVERIFY(std::abs(evaluator.metrics().l0 - double((codes.array() > 0).count()) / 5.0) < 1e-12);
        const nlohmann::json j = SaeMetricsExport::toJson(evaluator.metrics());
        for (const char* key : {"l0", "mse", "explained_variance", "dead_fraction", "dense_fraction",
                                "density_log10_histogram", "evaluation_inputs"})
            QVERIFY2(j.contains(key), key);
    }

    // Our SAEs exported in SAELens's layout load back as the same function (input scale folded in).
    void exportRoundTrip_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<float>("inputScale");
        QTest::newRow("tm2023") << int(SaeVariant::TM2023) << 1.0f;
        QTest::newRow("tm2023 scaled") << int(SaeVariant::TM2023) << 2.5f;
        QTest::newRow("2024 scaled") << int(SaeVariant::Anthropic2024) << 0.75f;
        QTest::newRow("topk scaled") << int(SaeVariant::TopK) << 1.5f;
        QTest::newRow("batchtopk") << int(SaeVariant::BatchTopK) << 1.0f;
        QTest::newRow("batchtopk scaled") << int(SaeVariant::BatchTopK) << 1.5f;
        QTest::newRow("jumprelu scaled") << int(SaeVariant::JumpReLU) << 1.5f;
        QTest::newRow("matryoshka scaled") << int(SaeVariant::Matryoshka) << 1.5f;
    }

    void exportRoundTrip()
    {
        QFETCH(int, variant);
        QFETCH(float, inputScale);
        SaeConfig config;
        config.inputDim = 8;
        config.latentDim = 24;
        config.variant = SaeVariant(variant);
        config.k = 3;
        if (config.variant == SaeVariant::Matryoshka)
            config.matryoshkaWidths = {4, 12};
        SparseAutoencoder sae(config);
        sae.initialise(7, Eigen::VectorXf::Constant(8, 0.1f));
        sae.encoderBias().setConstant(-0.05f);
        sae.setInputScale(inputScale);
        const bool batchTopK = config.selectsOverBatch(); // BatchTopK and Matryoshka
        if (batchTopK)
            sae.setThreshold(0.08f); // exported as SAELens's jumprelu with that threshold for every latent
        const bool jumpRelu = config.variant == SaeVariant::JumpReLU;
        for (int j = 0; j < sae.logThresholds().size(); ++j) // JumpReLU: a threshold per latent, 0.04 to 0.12
            sae.logThresholds()[j] = std::log(0.04f + 0.08f * float(j) / 23.0f);
        const QString dir = m_files.path(QStringLiteral("export_%1").arg(QString::fromLatin1(QTest::currentDataTag())));
        std::vector<double> densities(24, 0.01);
        densities[3] = 0.0;
        SaeLensExporter::write(dir.toStdString(), sae, {{"featurescope", {{"note", "test"}}}}, densities);
        const ImportedSae back = SaeLensLoader::load(dir.toStdString());
        QCOMPARE(back.config().preV6Layout, false);
        QCOMPARE(back.config().applyBDecToInput, config.subtractsDecoderBias());
        QCOMPARE(back.logSparsity().size(), Eigen::Index(24));
        QCOMPARE(back.logSparsity()[3], -10.0f);
        const Eigen::MatrixXf X = randomInputs(8, 50, 9);
        if (batchTopK || jumpRelu) {
            QCOMPARE(back.config().architecture, SaeLensArchitecture::JumpReLU);
            const Eigen::VectorXf theta = batchTopK ? Eigen::VectorXf::Constant(24, 0.08f).eval() : sae.thresholds();
            QVERIFY((back.threshold() - theta).cwiseAbs().maxCoeff() <= 1e-7f);
            // The thresholds decide: some positive pre-activations lie below them, some codes above.
            const Eigen::MatrixXf pre = sae.preActivations(X * inputScale);
            const Eigen::ArrayXXf thresholds = theta.replicate(1, pre.cols()).array();
            QVERIFY(((pre.array() > 0.0f) && (pre.array() <= thresholds)).count() > 0);
            QVERIFY((sae.encode(X).array() > 0.0f).count() > 0);
        }
        QVERIFY((back.encode(X) - sae.encode(X)).cwiseAbs().maxCoeff() < 1e-5f);
        QCOMPARE(((back.encode(X).array() > 0.0f) == (sae.encode(X).array() > 0.0f)).count(), X.cols() * 24);
        QVERIFY((back.reconstruct(X) - sae.decode(sae.encode(X))).cwiseAbs().maxCoeff() < 1e-5f);
        QVERIFY(back.config().raw["metadata"].contains("featurescope"));
        // And back into a SparseAutoencoder.
        std::string reason;
        const auto again = back.toSparseAutoencoder(&reason);
        if (jumpRelu) { // per-latent thresholds: the imported SAE runs as ImportedSae
            QVERIFY(!again && reason.find("per-latent") != std::string::npos);
            return;
        }
        QVERIFY(again);
        // Matryoshka's inference function is BatchTopK's: it comes back as one.
        QCOMPARE(again->config().variant, batchTopK ? SaeVariant::BatchTopK : config.variant);
        QCOMPARE(again->threshold(), sae.threshold());
        QVERIFY((again->encode(X) - sae.encode(X)).cwiseAbs().maxCoeff() < 1e-5f);
    }

    void reexportJumpRelu()
    {
        const ImportedSae sae = SaeLensLoader::load((kGolden + QStringLiteral("saelens/jumprelu_v6")).toStdString());
        const QString dir = m_files.path(QStringLiteral("jumprelu_again"));
        SaeLensExporter::write(dir.toStdString(), sae);
        const ImportedSae back = SaeLensLoader::load(dir.toStdString());
        const Eigen::MatrixXf X = goldenInputs();
        QCOMPARE(back.encode(X), sae.encode(X));
        QCOMPARE(back.threshold(), sae.threshold());
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("file");    // which file of a copy of standard_v6 to replace ("" = none)
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const QByteArray v6 = R"("sae_lens_version": "6.0.0", "metadata": {})";
        QTest::newRow("cfg not JSON") << "cfg.json" << QByteArray("{\"d_in\": 4,") << "not valid JSON";
        QTest::newRow("cfg non-UTF-8") << "cfg.json" << QByteArray("{\"d_in\": 4, \"hook_name\": \"\xff\"}") << "not valid UTF-8";
        QTest::newRow("cfg not an object") << "cfg.json" << QByteArray("[4, 6]") << "must hold a JSON object";
        QTest::newRow("cfg without d_in") << "cfg.json" << QByteArray("{\"d_sae\": 6}") << "missing d_in";
        QTest::newRow("negative d_sae") << "cfg.json" << QByteArray("{\"d_in\": 4, \"d_sae\": -6}") << "d_sae = -6 is out of range";
        QTest::newRow("d_in huge float") << "cfg.json" << QByteArray("{\"d_in\": 1e300, \"d_sae\": 6}") << "d_in is a number, not an integer";
        QTest::newRow("d_in a string") << "cfg.json" << QByteArray("{\"d_in\": \"4\", \"d_sae\": 6}") << "d_in is a string, not an integer";
        QTest::newRow("gated") << "cfg.json" << QByteArray("{\"d_in\": 4, \"d_sae\": 6, \"architecture\": \"gated\", " + v6 + "}")
                               << "unsupported SAE architecture 'gated'";
        QTest::newRow("unknown activation") << "cfg.json" << QByteArray("{\"d_in\": 4, \"d_sae\": 6, \"activation_fn_str\": \"gelu\"}")
                                            << "unsupported activation_fn 'gelu'";
        QTest::newRow("topk without k") << "cfg.json" << QByteArray("{\"d_in\": 4, \"d_sae\": 6, \"activation_fn_str\": \"topk\"}")
                                        << "missing k";
        QTest::newRow("d_in mismatch") << "cfg.json" << QByteArray("{\"d_in\": 5, \"d_sae\": 6}")
                                       << "tensor W_enc has shape [4, 6], expected [5, 6]";
        QTest::newRow("bad normalisation") << "cfg.json" << QByteArray("{\"d_in\": 4, \"d_sae\": 6, \"normalize_activations\": \"zscore\"}")
                                           << "unknown normalize_activations 'zscore'";
        QTest::newRow("jumprelu without threshold")
            << "cfg.json" << QByteArray("{\"d_in\": 4, \"d_sae\": 6, \"architecture\": \"jumprelu\", " + v6 + "}")
            << "no tensor threshold";
        QTest::newRow("truncated weights") << "sae_weights.safetensors" << QByteArray("\x20\0\0\0\0\0\0\0{\"W_enc\":", 17)
                                           << "truncated safetensors file";
        QTest::newRow("integer weights")
            << "sae_weights.safetensors"
            << bytesOf(SafetensorsFile::serialize({{"W_enc", ArrayData(DType::I32, {4, 6}, std::vector<std::uint8_t>(96))}}))
            << "tensor W_enc has dtype I32";
        QTest::newRow("bad sparsity") << "sparsity.safetensors" << QByteArray("garbage!") << "sparsity.safetensors";
        QTest::newRow("no cfg.json") << "-cfg.json" << QByteArray() << "no cfg.json";
    }

    void rejects()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        const QString dir = m_files.path(QStringLiteral("bad_sae"));
        QDir(dir).removeRecursively();
        copyDirectory(kGolden + QStringLiteral("saelens/standard_v6"), dir);
        if (file.startsWith(QLatin1Char('-')))
            QFile::remove(dir + QLatin1Char('/') + file.mid(1));
        else
            m_files.write(QStringLiteral("bad_sae/") + file, bytes);
        try {
            SaeLensLoader::load(dir.toStdString());
            QFAIL("loaded a bad SAE directory");
        } catch (const InputError& e) {
            const QString text = QString::fromUtf8(e.what());
            QVERIFY2(text.startsWith(dir), qPrintable(text));
            QVERIFY2(text.contains(message), qPrintable(text));
            QVERIFY2(!text.contains(QLatin1Char('\n')), qPrintable(text));
        }
    }

    void activationImport()
    {
        const std::string safetensors = (kGolden + QStringLiteral("activations.safetensors")).toStdString();
        // Two [N, d] float arrays and no choice: the error lists them and says how to choose.
        try {
            ActivationImport::load(safetensors);
            QFAIL("picked an array among several");
        } catch (const InputError& e) {
            QVERIFY2(QByteArray(e.what()).contains("holds several arrays that could be activations (acts [6, 4] f16, "
                                                   "other [2, 3] f32): choose one with --array NAME"),
                     e.what());
        }
        ActivationImportOptions options;
        options.arrayName = "acts";
        options.labelsName = "labels";
        const ImportedActivations a = ActivationImport::load(safetensors, options);
        QCOMPARE(a.set.activations.rows(), Eigen::Index(4));
        QCOMPARE(a.set.activations.cols(), Eigen::Index(6));
        QCOMPARE(a.set.labels, (std::vector<int>{0, 1, 2, 0, 1, 2}));
        QCOMPARE(a.set.classCount, 3);
        const QJsonArray values = expectedJson()
                                      .value(QStringLiteral("activations.safetensors"))
                                      .toObject()
                                      .value(QStringLiteral("acts"))
                                      .toObject()
                                      .value(QStringLiteral("values"))
                                      .toArray();
        for (int r = 0; r < 6; ++r)
            for (int c = 0; c < 4; ++c)
                QCOMPARE(a.set.activations(c, r), float(values[r * 4 + c].toDouble()));
        // The only candidate of an .npz is picked; the npz stored/deflated members read the same.
        const ImportedActivations z = ActivationImport::load((kGolden + QStringLiteral("deflated.npz")).toStdString());
        QCOMPARE(z.arrayName, std::string("acts"));
        QCOMPARE(z.set.activations, a.set.activations);
        // Labels from another file.
        const QString labelsPath = m_files.path(QStringLiteral("labels.npy"));
        const std::vector<std::int64_t> labels = {5, 4, 3, 2, 1, 0};
        NpyFile::write(labelsPath.toStdString(), ArrayData::fromInts({6}, labels.data(), DType::I32));
        options.labelsName = labelsPath.toStdString();
        QCOMPARE(ActivationImport::load(safetensors, options).set.labels, (std::vector<int>{5, 4, 3, 2, 1, 0}));
    }

    void activationImportRejects_data()
    {
        QTest::addColumn<QString>("array");
        QTest::addColumn<QString>("labels");
        QTest::addColumn<QString>("message");
        QTest::newRow("no such array") << "acts2" << "" << "no array 'acts2' (the file holds acts [6, 4] f16, labels [6] i64";
        QTest::newRow("labels as activations") << "labels" << "" << "has shape [6] (activations need [N, d]";
        QTest::newRow("wrong label count") << "other" << "labels" << "labels 'labels' have 6 entries for 2 activation rows";
        QTest::newRow("float labels") << "acts" << "acts" << "have shape [6, 4] (expected [N] or [N, 1])";
        QTest::newRow("missing labels") << "acts" << "classes" << "no labels array 'classes'";
    }

    void activationImportRejects()
    {
        QFETCH(QString, array);
        QFETCH(QString, labels);
        QFETCH(QString, message);
        ActivationImportOptions options;
        options.arrayName = array.toStdString();
        options.labelsName = labels.toStdString();
        try {
            ActivationImport::load((kGolden + QStringLiteral("activations.safetensors")).toStdString(), options);
            QFAIL("accepted a bad choice");
        } catch (const InputError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
        }
    }

    void activationExportRoundTrip_data()
    {
        QTest::addColumn<QString>("extension");
        QTest::newRow("npy") << ".npy";
        QTest::newRow("npz") << ".npz";
        QTest::newRow("safetensors") << ".safetensors";
    }

    void activationExportRoundTrip()
    {
        QFETCH(QString, extension);
        EvaluationSet set;
        set.activations = randomInputs(7, 40, 4);
        for (int i = 0; i < 40; ++i)
            set.labels.push_back(i % 4);
        set.classCount = 4;
        set.imageRows = 2;
        set.imageCols = 3;
        set.images.assign(40 * 6, 9);
        const QString path = m_files.path(QStringLiteral("exported") + extension);
        ActivationExport::write(path.toStdString(), set);
        ActivationImportOptions options;
        if (extension != QStringLiteral(".npy")) {
            options.arrayName = "activations";
            options.labelsName = "labels";
        }
        const ImportedActivations back = ActivationImport::load(path.toStdString(), options);
        QCOMPARE(back.set.activations, set.activations);
        if (extension != QStringLiteral(".npy"))
            QCOMPARE(back.set.labels, set.labels);
    }

    void activationsWithNaN()
    {
        const std::vector<float> v = {1, 2, std::nanf(""), 4};
        const QString path = m_files.path(QStringLiteral("nan.npy"));
        NpyFile::write(path.toStdString(), ArrayData::fromFloats({2, 2}, v.data()));
        try {
            ActivationImport::load(path.toStdString());
            QFAIL("accepted NaN activations");
        } catch (const InputError& e) {
            QVERIFY2(QByteArray(e.what()).contains("NaN or infinite value (row 1, column 0)"), e.what());
        }
    }

    void toyModelRoundTrip_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("relu-output") << "relu-output";
        QTest::newRow("untied-abs") << "untied-abs";
    }

    void toyModelRoundTrip()
    {
        QFETCH(QString, model);
        ToyModelConfig config;
        config.features = 6;
        config.hidden = 3;
        config.kind = toyModelKindFromName(model.toStdString());
        config.featureProbability = ToyModelConfig::sweepProbabilities(6, 3, 0.01);
        config.importanceDecay = 0.9;
        TrainingConfig training;
        training.steps = 50;
        struct {
            ToyModel model;
        } result{ToyModel(config)};
        result.model.initialise(3);
        for (int i = 0; i < 3; ++i)
            result.model.instance(i).b.setLinSpaced(6, -0.5f, 0.5f);
        const QString path = m_files.path(QStringLiteral("toy.safetensors"));
        ToyModelFile::write(path.toStdString(), result.model, &training);
        const ToyModel back = ToyModelFile::read(path.toStdString());
        QCOMPARE(back.instanceCount(), 3);
        QCOMPARE(back.config().kind, config.kind);
        QCOMPARE(back.config().featureProbability, config.featureProbability);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(back.instance(i).W, result.model.instance(i).W);
            QCOMPARE(back.instance(i).b, result.model.instance(i).b);
            QCOMPARE(back.instance(i).decoderWeights(), result.model.instance(i).decoderWeights());
            for (int k = 0; k < 6; ++k)
                QCOMPARE(back.config().importance(i, k), config.importance(i, k));
        }
        // Row-major [instances, m, n]: W[1][2][4] is instance 1's W(2, 4).
        const ArrayData W = SafetensorsFile::open(path.toStdString()).tensor("W");
        QCOMPARE(W.shape(), (ArrayData::Shape{3, 3, 6}));
        QCOMPARE(W.toFloatVector()[std::size_t(1 * 18 + 2 * 6 + 4)], result.model.instance(1).W(2, 4));
    }

    // Files written before the config had one spelling used "n", "m" and "model"; they still open, and the
    // instance count, when given, must match the probability rows.
    void toyModelFileLegacySpelling()
    {
        const std::vector<float> W(2 * 5, 0.25f), b(5, 0.0f);
        auto write = [&](const std::string& config) {
            const QString path = m_files.path(QStringLiteral("legacy.safetensors"));
            SafetensorsFile::write(path.toStdString(),
                                   {{"W", ArrayData::fromFloats({1, 2, 5}, W.data())},
                                    {"b", ArrayData::fromFloats({1, 5}, b.data())}},
                                   {{"format", ToyModelFile::kFormat}, {"config", config}});
            return path.toStdString();
        };
        const std::string probability = R"("feature_probability": [[0.1, 0.1, 0.1, 0.1, 0.1]])";
        const ToyModel legacy = ToyModelFile::read(
            write(R"({"n": 5, "m": 2, "model": "relu-output", "importance_decay": 0.9, )" + probability + "}"));
        QCOMPARE(legacy.config().features, 5);
        QCOMPARE(legacy.config().hidden, 2);
        QCOMPARE(legacy.config().kind, ToyModelKind::ReluOutput);
        QCOMPARE(legacy.instance(0).W(1, 4), 0.25f);
        const ToyModel current = ToyModelFile::read(write(
            R"({"features": 5, "hidden": 2, "kind": "linear", "importance_decay": 1, "instances": 1, )" + probability + "}"));
        QCOMPARE(current.config().kind, ToyModelKind::Linear);
        try {
            ToyModelFile::read(write(R"({"features": 5, "hidden": 2, "kind": "linear", "importance_decay": 1, )"
                                     R"("instances": 3, )" + probability + "}"));
            QFAIL("a config whose instance count disagrees with its rows was accepted");
        } catch (const InputError& e) {
            QVERIFY2(std::string(e.what()).find("3 instances but gives 1 probability rows") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSaeLens)
#include "tst_saelens.moc"

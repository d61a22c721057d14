#include "common/InputError.h"
#include "sae/GroundTruthRecovery.h"
#include "sae/SaeEvaluator.h"
#include "sae/SparseAutoencoder.h"
#include "sae/SyntheticActivationSource.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <Eigen/Dense>

#include <cmath>

using namespace featurescope;

namespace {

Eigen::MatrixXf matrix(const QJsonValue& value)
{
    const QJsonArray rows = value.toArray();
    const int cols = rows.isEmpty() ? 0 : int(rows.first().toArray().size());
    Eigen::MatrixXf m(rows.size(), cols);
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonArray row = rows[i].toArray();
        for (int j = 0; j < cols; ++j)
            m(i, j) = float(row[j].toDouble());
    }
    return m;
}

// An SAE on `source` whose decoder is the true dictionary T (d x F, F ≤ d) and whose encoder is its pseudo-inverse
// scaled by `gain`: the codes are gain × the true coefficients (all ≥ 0), up to rounding and a bias of −1e-4.
SparseAutoencoder oracle(const SyntheticActivationSource& source, float gain, float inputScale)
{
    const Eigen::MatrixXf T = source.groundTruth();
    SaeConfig config;
    config.inputDim = int(T.rows());
    config.latentDim = int(T.cols());
    SparseAutoencoder sae(config);
    const Eigen::MatrixXf pinv = (T.transpose() * T).inverse() * T.transpose();
    sae.encoderColumns() = gain * pinv.transpose();
    sae.decoderWeights() = T;
    sae.encoderBias().setConstant(-1e-4f); // keeps rounding noise on inactive features from firing
    sae.setInputScale(inputScale); // codes of s·x are s·gain·c; decoding divides by s again
    return sae;
}

} // namespace

class TestGroundTruthRecovery : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // MCC, the matching, precision / recall / F1 and shrinkage against scripts/reference/ground_truth_metrics.py
    // (NumPy and scipy.optimize.linear_sum_assignment), on cases with more latents than true features, as many, and
    // fewer.
    void matchesNumpyReference()
    {
        QFile file(QStringLiteral(FEATURESCOPE_TEST_DATA_DIR "/ground_truth/recovery.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonArray cases = QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("cases")).toArray();
        QCOMPARE(cases.size(), 3);
        for (const QJsonValue& value : cases) {
            const QJsonObject c = value.toObject();
            const QString name = c.value(QStringLiteral("name")).toString();
            const Eigen::MatrixXf truth = matrix(c.value(QStringLiteral("truth")));
            const Eigen::MatrixXf decoder = matrix(c.value(QStringLiteral("decoder")));
            const Eigen::MatrixXf codes = matrix(c.value(QStringLiteral("codes")));
            const Eigen::MatrixXf trueActs = matrix(c.value(QStringLiteral("true_activations")));
            const QJsonArray normValues = c.value(QStringLiteral("decoder_norms")).toArray();
            Eigen::VectorXf norms(normValues.size());
            for (int j = 0; j < normValues.size(); ++j)
                norms[j] = float(normValues[j].toDouble());
            const QJsonObject expected = c.value(QStringLiteral("expected")).toObject();

            GroundTruthRecovery r = GroundTruthRecovery::match(truth, decoder);
            r.score(trueActs, [&](int j) { return Eigen::VectorXf(codes.row(j).transpose()); }, norms);
            const QJsonArray latentOfTrue = expected.value(QStringLiteral("latent_of_true")).toArray();
            QCOMPARE(int(r.latentOfTrueFeature().size()), int(latentOfTrue.size()));
            for (int i = 0; i < latentOfTrue.size(); ++i)
                QCOMPARE(r.latentOfTrueFeature()[std::size_t(i)], latentOfTrue[i].toInt());
            const auto near = [&](double got, const char* key) {
                const double want = expected.value(QLatin1String(key)).toDouble();
                QVERIFY2(std::abs(got - want) < 1e-6,
                         qPrintable(QStringLiteral("%1 %2: %3 vs numpy %4").arg(name, QLatin1String(key)).arg(got).arg(want)));
            };
            near(r.mcc(), "mcc");
            near(r.precisionMean(), "precision_mean");
            near(r.recallMean(), "recall_mean");
            near(r.f1Mean(), "f1_mean");
            near(r.shrinkage(), "shrinkage");
        }
    }

    void badInput()
    {
        QVERIFY_THROWS_EXCEPTION(InputError, GroundTruthRecovery::match(Eigen::MatrixXf::Ones(3, 2), Eigen::MatrixXf::Ones(4, 2)));
        Eigen::MatrixXf nan = Eigen::MatrixXf::Ones(3, 2);
        nan(1, 1) = std::nanf("");
        QVERIFY_THROWS_EXCEPTION(InputError, GroundTruthRecovery::match(Eigen::MatrixXf::Ones(3, 2), nan));
        GroundTruthRecovery r = GroundTruthRecovery::match(Eigen::MatrixXf::Identity(3, 2), Eigen::MatrixXf::Identity(3, 3));
        QCOMPARE(r.mcc(), 1.0);
        const auto codes = [](int) { return Eigen::VectorXf(Eigen::VectorXf::Zero(5)); };
        QVERIFY_THROWS_EXCEPTION(InputError, r.score(Eigen::MatrixXf::Zero(3, 5), codes, Eigen::VectorXf::Ones(3)));
        QVERIFY_THROWS_EXCEPTION(InputError, r.score(Eigen::MatrixXf::Zero(2, 4), codes, Eigen::VectorXf::Ones(3)));
    }

    // Through SaeEvaluator on the synthetic source: an SAE that decodes with the true dictionary and encodes the exact
    // coefficients scores MCC 1, F1 1 and shrinkage 1 (also with an input scale, which the evaluator undoes); the
    // same SAE with its codes halved has shrinkage 0.5 and still F1 1. Decoder directions alone cannot see a latent
    // that fires for the wrong feature: MCC stays 1 there, F1 does not.
    void oracleSaeOnSyntheticData()
    {
        SyntheticActivationSource::Settings settings;
        settings.features = 16;
        settings.dimension = 32;
        settings.meanActive = 3.0;
        const SyntheticActivationSource source(settings);
        const EvaluationSet set = source.evaluationSet(4096, 7);
        QCOMPARE(set.trueActivations.rows(), Eigen::Index(16));
        QCOMPARE(set.trueActivations.cols(), Eigen::Index(4096));
        // The contributions add up to the inputs: x = T a.
        QVERIFY((source.groundTruth() * set.trueActivations - set.activations).norm() < 1e-4f * set.activations.norm());

        for (float scale : {1.0f, 2.5f}) {
            const SaeEvaluator exact(oracle(source, 1.0f, scale), set, source.groundTruth());
            const auto& m = exact.metrics();
            QVERIFY2(std::abs(m.mcc - 1.0) < 1e-6, qPrintable(QString::number(m.mcc)));
            QVERIFY2(m.f1Mean > 0.999, qPrintable(QString::number(m.f1Mean)));
            QVERIFY2(std::abs(m.shrinkage - 1.0) < 1e-3, qPrintable(QString::number(m.shrinkage)));
            QVERIFY(m.explainedVariance > 0.9999);
            for (int i = 0; i < 16; ++i)
                QCOMPARE(exact.recovery().latentOfTrueFeature()[std::size_t(i)], i);
        }
        const SaeEvaluator halved(oracle(source, 0.5f, 1.0f), set, source.groundTruth());
        QVERIFY2(std::abs(halved.metrics().shrinkage - 0.5) < 1e-3, qPrintable(QString::number(halved.metrics().shrinkage)));
        QVERIFY(halved.metrics().f1Mean > 0.999);

        // Latent j decodes along true feature (j + 5) mod 16 but still encodes feature j: the matching pairs feature
        // (j + 5) with latent j, whose firing follows feature j, so precision and recall collapse.
        SparseAutoencoder crossed = oracle(source, 1.0f, 1.0f);
        const Eigen::MatrixXf T = source.groundTruth();
        for (int j = 0; j < 16; ++j)
            crossed.decoderWeights().col(j) = T.col((j + 5) % 16);
        const SaeEvaluator wrong(crossed, set, source.groundTruth());
        QVERIFY(std::abs(wrong.metrics().mcc - 1.0) < 1e-6);
        QCOMPARE(wrong.recovery().latentOfTrueFeature()[5], 0);
        QVERIFY2(wrong.metrics().f1Mean < 0.5, qPrintable(QString::number(wrong.metrics().f1Mean)));
    }
};

QTEST_GUILESS_MAIN(TestGroundTruthRecovery)
#include "tst_ground_truth_recovery.moc"

// SAELens's synthetic data beyond independent features: correlated firing through a Gaussian copula (each feature
// keeps its firing probability) and per-feature magnitude laws; and an SAE still recovers the ground truth there.
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "experiments/SaeExperiment.h"
#include "experiments/SaeSourceFactory.h"
#include "sae/SyntheticActivationSource.h"
#include "sae/SyntheticFiringSampler.h"

#include <QTest>

#include <cmath>

using namespace featurescope;

class TestSyntheticFiring : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void inverseNormalCdf()
    {
        for (double q : {1e-12, 1e-6, 0.001, 0.02, 0.1, 0.3, 0.5, 0.7, 0.97, 0.999, 1.0 - 1e-9}) {
            const double x = SyntheticFiringSampler::inverseNormalCdf(q);
            const double back = 0.5 * std::erfc(-x / std::sqrt(2.0));
            QVERIFY2(std::abs(back - q) <= 1e-12 + 1e-9 * q, qPrintable(QStringLiteral("q %1: x %2").arg(q).arg(x)));
        }
        QCOMPARE(SyntheticFiringSampler::inverseNormalCdf(0.5), 0.0);
        QVERIFY(std::isinf(SyntheticFiringSampler::inverseNormalCdf(0.0)));
        QVERIFY(std::isinf(SyntheticFiringSampler::inverseNormalCdf(1.0)));
    }

    // Marginals kept, pairs co-firing with the sign of their correlation, magnitudes as asked.
    void correlatedFiringAndMagnitudes()
    {
        const int features = 12, batch = 200000;
        SyntheticFiringSampler::Settings s;
        for (int i = 0; i < features; ++i)
            s.probability.push_back(0.05 + 0.03 * i);
        s.correlation = 0.8;
        s.meanMagnitude = SyntheticFiringSampler::linearProfile(1.0, 3.0, features);
        s.stdMagnitude = SyntheticFiringSampler::linearProfile(0.2, 0.2, features);
        s.seed = 21;
        const SyntheticFiringSampler sampler(s);
        const Eigen::MatrixXd sigma = sampler.correlationMatrix();
        QVERIFY((sigma.diagonal().array() - 1.0).abs().maxCoeff() < 1e-5);
        QVERIFY((sigma - sigma.transpose()).cwiseAbs().maxCoeff() < 1e-5);
        UniformStream stream(5);
        Eigen::MatrixXf C;
        sampler.sample(C, batch, stream);
        QCOMPARE(C.rows(), Eigen::Index(features));
        QVERIFY((C.array() >= 0.0f).all());
        const Eigen::ArrayXXd fire = (C.array() > 0.0f).cast<double>();
        // Marginals (the magnitude's max(0, ·) drops a negligible share at mean 1, std 0.2).
        for (int i = 0; i < features; ++i) {
            const double rate = fire.row(i).mean(), p = s.probability[std::size_t(i)];
            QVERIFY2(std::abs(rate - p) < 5.0 * std::sqrt(p * (1 - p) / batch) + 1e-4,
                     qPrintable(QStringLiteral("feature %1: rate %2, p %3").arg(i).arg(rate).arg(p)));
        }
        // The most strongly correlated pair fires together far more (or less) often than independence gives.
        int a = 0, b = 1;
        for (int i = 0; i < features; ++i)
            for (int j = i + 1; j < features; ++j)
                if (std::abs(sigma(i, j)) > std::abs(sigma(a, b))) {
                    a = i;
                    b = j;
                }
        const double both = (fire.row(a) * fire.row(b)).mean();
        const double independent = fire.row(a).mean() * fire.row(b).mean();
        qDebug("strongest pair (%d, %d): rho %.3f, co-firing %.5f vs %.5f independent", a, b, sigma(a, b), both,
               independent);
        QVERIFY(std::abs(sigma(a, b)) > 0.3);
        if (sigma(a, b) > 0)
            QVERIFY(both > 1.5 * independent);
        else
            QVERIFY(both < 0.7 * independent);
        // Magnitudes: mean_i of the firing values (std 0.2 keeps max(0, ·) from biasing it).
        for (int i : {0, features - 1}) {
            double sum = 0.0, count = 0.0;
            for (int t = 0; t < batch; ++t)
                if (C(i, t) > 0.0f) {
                    sum += C(i, t);
                    count += 1.0;
                }
            const double expected = s.meanMagnitude[std::size_t(i)];
            QVERIFY2(std::abs(sum / count - expected) < 0.02, qPrintable(QString::number(sum / count)));
        }
    }

    // Without correlation or magnitude laws the source is the one it always was (same numbers).
    void defaultsUnchanged()
    {
        SyntheticActivationSource::Settings settings;
        const SyntheticActivationSource plain(settings);
        settings.structure.correlation = 0.0;
        QVERIFY(!settings.structure.usesFiringSampler());
        ActivationSource::Random r1(3), r2(3);
        Eigen::MatrixXf X1, X2;
        plain.sampleBatch(X1, 64, r1);
        SyntheticActivationSource(settings).sampleBatch(X2, 64, r2);
        QCOMPARE(X1, X2);
    }

    void rejects()
    {
        SyntheticFiringSampler::Settings s;
        s.probability = {0.1, 0.2};
        s.meanMagnitude = {1.0, 1.0};
        s.stdMagnitude = {0.0, -1.0};
        QVERIFY_THROWS_EXCEPTION(InputError, SyntheticFiringSampler{s});
        s.stdMagnitude = {0.0, 0.0};
        s.correlation = 1.5;
        QVERIFY_THROWS_EXCEPTION(InputError, SyntheticFiringSampler{s});
        s.correlation = 0.5;
        s.probability.assign(3000, 0.01);
        s.meanMagnitude.assign(3000, 1.0);
        s.stdMagnitude.assign(3000, 0.0);
        QVERIFY_THROWS_EXCEPTION(InputError, SyntheticFiringSampler{s}); // too many features to correlate
    }

    // 128 correlated features of varying magnitude in d = 64: TopK at its defaults still finds them.
    void recoveryOnCorrelatedData()
    {
        SaeExperimentConfig config = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
        config.sae.variant = SaeVariant::TopK;
        config.sae.l1 = 0.0;
        config.syntheticStructure.correlation = 0.5;
        config.syntheticStructure.magnitudes = true;
        config.syntheticStructure.magnitudeMeanFirst = 1.0;
        config.syntheticStructure.magnitudeMeanLast = 2.0;
        config.syntheticStructure.magnitudeStdFirst = config.syntheticStructure.magnitudeStdLast = 0.3;
        SaeSourceFactory sources;
        const SaeRunResult run = SaeExperiment::train(config, sources, ProgressReporter());
        const auto& m = run.evaluator->metrics();
        qDebug("topk on correlated data with magnitude laws: MMCS %.4f, MCC %.4f, EV %.3f, L0 %.2f", m.mmcs, m.mcc,
               m.explainedVariance, m.l0);
        QVERIFY2(m.mmcs >= 0.95, qPrintable(QString::number(m.mmcs)));
        QVERIFY2(m.mcc >= 0.9, qPrintable(QString::number(m.mcc)));
    }
};

QTEST_GUILESS_MAIN(TestSyntheticFiring)
#include "tst_synthetic_firing.moc"

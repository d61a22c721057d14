#include "common/InputError.h"
#include "sae/MatrixActivationSource.h"
#include "sae/SaeEvaluator.h"
#include "sae/SparseAutoencoder.h"

#include <QTest>

#include <cmath>

using namespace featurescope;

namespace {

// An SAE whose features are the coordinate axes of R^d (W_enc = W_dec = I, no biases): codes = ReLU(x).
SparseAutoencoder axisAutoencoder(int d)
{
    SaeConfig config;
    config.inputDim = d;
    config.latentDim = d;
    SparseAutoencoder sae(config);
    sae.encoderColumns().setIdentity();
    sae.decoderWeights().setIdentity();
    return sae;
}

} // namespace

class TestSaeMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Dead, ultra-rare and dense from known densities: over the evaluation inputs, and over a training window.
    void healthCounts()
    {
        const std::vector<double> evaluation{0.0, 0.0, 0.001, 0.5, 0.02};
        SaeEvaluationOptions options; // dense > 0.01, ultra-rare < 1e-5
        SaeDictionaryMetrics m;
        SaeEvaluator::countHealth(evaluation, 1000, options, m);
        QCOMPARE(m.deadFraction, 0.4);
        QCOMPARE(m.ultraRareFraction, 0.0);
        QCOMPARE(m.denseFraction, 0.4);
        QCOMPARE(m.silentFraction, 0.4);
        QCOMPARE(m.healthInputs, std::int64_t(1000));
        QVERIFY(!m.healthFromTraining());

        // Latent 1 is silent on the evaluation inputs but fired 3 times in a million training inputs: ultra-rare.
        options.training.fires = {0, 3, 50, 600000, 1000};
        options.training.inputs = 1000000;
        options.training.steps = 1000;
        options.ultraRareThreshold = 1e-4;
        options.denseThreshold = 0.5;
        SaeEvaluator::countHealth(evaluation, 1000, options, m);
        QCOMPARE(m.deadFraction, 0.2);
        QCOMPARE(m.ultraRareFraction, 0.4); // 3e-6 and 5e-5
        QCOMPARE(m.denseFraction, 0.2);    // 0.6
        QCOMPARE(m.silentFraction, 0.4);
        QCOMPARE(m.healthInputs, std::int64_t(1000000));
        QCOMPARE(m.healthSteps, 1000);
        QCOMPARE(m.ultraRareThreshold, 1e-4);
        QCOMPARE(m.denseThreshold, 0.5);

        // A window for another dictionary size is ignored.
        options.training.fires.pop_back();
        SaeEvaluator::countHealth(evaluation, 1000, options, m);
        QCOMPARE(m.deadFraction, 0.4);
        QVERIFY(!m.healthFromTraining());
    }

    void labelPurity_data()
    {
        QTest::addColumn<QList<int>>("labels");
        QTest::addColumn<int>("classes");
        QTest::addColumn<double>("expected");
        QTest::newRow("one label") << QList<int>{3, 3, 3, 3} << 10 << 1.0;
        QTest::newRow("uniform over all classes") << QList<int>{0, 1, 2, 3} << 4 << 0.0;
        QTest::newRow("two equal halves of 4 classes") << QList<int>{0, 0, 1, 1} << 4 << 0.5;
        QTest::newRow("no labels") << QList<int>{} << 10 << -1.0;
    }

    void labelPurity()
    {
        QFETCH(QList<int>, labels);
        QFETCH(int, classes);
        QFETCH(double, expected);
        const double purity = SaeEvaluator::labelPurity(std::vector<int>(labels.begin(), labels.end()), classes);
        QVERIFY2(std::abs(purity - expected) < 1e-12, qPrintable(QString::number(purity)));
    }

    void meanPairwiseCosine()
    {
        Eigen::MatrixXf same(3, 4);
        same.colwise() = Eigen::Vector3f(1, 2, 3);
        QVERIFY(std::abs(SaeEvaluator::meanPairwiseCosine(same) - 1.0) < 1e-6);
        QVERIFY(std::abs(SaeEvaluator::meanPairwiseCosine(Eigen::MatrixXf::Identity(3, 3))) < 1e-12);
        Eigen::MatrixXf opposite(2, 2);
        opposite << 1, -1, 0, 0;
        QVERIFY(std::abs(SaeEvaluator::meanPairwiseCosine(opposite) + 1.0) < 1e-12);
        QCOMPARE(SaeEvaluator::meanPairwiseCosine(Eigen::MatrixXf::Ones(3, 1)), -1.0);
    }

    void mmcs()
    {
        const Eigen::MatrixXf truth = Eigen::MatrixXf::Identity(4, 3);
        Eigen::MatrixXf dictionary = Eigen::MatrixXf::Zero(4, 5);
        dictionary.col(0) << 2, 0, 0, 0;          // feature 0, scaled: cosine 1
        dictionary.col(1) << 0, 1, 1, 0;          // features 1 and 2 at 45°
        dictionary.col(4) << 0, 0, 0, 1;
        std::vector<float> best;
        const double value = SaeEvaluator::mmcs(truth, dictionary, &best);
        QVERIFY(std::abs(best[0] - 1.0f) < 1e-6f);
        QVERIFY(std::abs(best[1] - std::sqrt(0.5f)) < 1e-6f);
        QVERIFY(std::abs(value - (1.0 + 2.0 * std::sqrt(0.5)) / 3.0) < 1e-6);
        QCOMPARE(SaeEvaluator::mmcs(truth, Eigen::MatrixXf::Identity(3, 3)), -1.0); // dimension mismatch
    }

    void dictionaryMetrics()
    {
        // 4 axes; inputs: feature 0 always active, feature 1 on half the inputs, feature 2 on one input, 3 never.
        const int n = 200;
        EvaluationSet set;
        set.activations = Eigen::MatrixXf::Zero(4, n);
        for (int s = 0; s < n; ++s) {
            set.activations(0, s) = 1.0f + s % 3;
            if (s % 2 == 0)
                set.activations(1, s) = 0.5f;
            set.labels.push_back(s % 2); // feature 1's inputs all have label 0
        }
        set.activations(2, 7) = 4.0f;
        set.activations(3, 9) = -1.0f; // negative: feature 3 never fires, and the SAE cannot reconstruct it
        set.classCount = 2;
        SaeEvaluationOptions options;
        options.topK = 10;
        options.quantiles = 5;
        options.nearest = 2;
        SaeEvaluator evaluator(axisAutoencoder(4), set, Eigen::MatrixXf::Identity(4, 4), options);
        const auto& m = evaluator.metrics();
        QCOMPARE(m.evaluationCount, n);
        QVERIFY(std::abs(m.l0 - (1.0 + 0.5 + 1.0 / n)) < 1e-12);
        QCOMPARE(m.deadFraction, 0.25);
        QCOMPARE(m.denseFraction, 0.5); // features 0 and 1; feature 2 fires on 0.5 % of inputs
        QVERIFY(std::abs(m.mse - 1.0 / (n * 4.0)) < 1e-9);
        QVERIFY(m.explainedVariance < 1.0 && m.explainedVariance > 0.99);
        QCOMPARE(m.densityHistogram.dead, 1);
        int alive = 0;
        for (int c : m.densityHistogram.counts)
            alive += c;
        QCOMPARE(alive, 3);
        QCOMPARE(int(m.densityHistogram.edges().size()), int(m.densityHistogram.counts.size()) + 1);
        // log10(1) = 0 falls in the last bin, log10(0.005) = −2.3 in bin (−2.3 + 6) / 0.25 = 14.
        QCOMPARE(m.densityHistogram.counts.back(), 1);
        QCOMPARE(m.densityHistogram.counts[14], 1);
        QVERIFY(std::abs(m.mmcs - 1.0) < 1e-6); // every true axis is a decoder column
        // Feature 0's top 10 (value 3: inputs 2, 5, 8, ...) alternate labels: purity 0; feature 1's are all label 0.
        QVERIFY(std::abs(m.meanLabelPurity - 0.5) < 1e-12);
    }

    void featureSummary()
    {
        const int n = 100;
        EvaluationSet set;
        set.activations = Eigen::MatrixXf::Zero(3, n);
        for (int s = 0; s < n; ++s) {
            set.activations(0, s) = float(s + 1); // feature 0: activation s + 1 on input s
            set.labels.push_back(s >= 80 ? 1 : s % 4);
        }
        set.classCount = 4;
        set.imageRows = 1;
        set.imageCols = 2;
        for (int s = 0; s < n; ++s) {
            set.images.push_back(std::uint8_t(s));
            set.images.push_back(std::uint8_t(2 * s));
        }
        SaeEvaluationOptions options;
        options.topK = 20;
        options.quantiles = 3;
        options.nearest = 1;
        SaeEvaluator evaluator(axisAutoencoder(3), set, {}, options);
        const SaeFeatureSummary f = evaluator.feature(0);
        QCOMPARE(f.density, 1.0);
        QCOMPARE(f.maxActivation, 100.0f);
        QCOMPARE(int(f.topExamples.size()), 20);
        QCOMPARE(f.topExamples.front(), 99);
        QCOMPARE(f.topActivations[1], 99.0f);
        QCOMPARE(f.quantileExamples, (std::vector<int>{0, 50, 99}));
        // Top 20 = inputs 80..99, all label 1: pure. Images (s, 2s) all point the same way: coherence 1.
        QVERIFY(std::abs(f.labelPurity - 1.0) < 1e-12);
        QVERIFY(std::abs(f.coherence - 1.0) < 1e-6);
        QCOMPARE(int(f.nearestFeatures.size()), 1);
        QCOMPARE(f.bestTrueFeature, -1);
        const std::vector<float> image = evaluator.weightedMeanImage(0);
        QCOMPARE(int(image.size()), 2);
        QVERIFY(std::abs(image[1] - 2.0f * image[0]) < 1e-3f);
        QCOMPARE(evaluator.feature(1).density, 0.0);
        QCOMPARE(evaluator.feature(1).labelPurity, -1.0);
        QCOMPARE(evaluator.metrics().meanLabelPurity, 1.0); // only feature 0 has 20 examples
        QCOMPARE(evaluator.activations(0)[41], 42.0f);
    }

    void matrixSourceValidates()
    {
        EvaluationSet set;
        set.activations = Eigen::MatrixXf::Ones(3, 5);
        set.labels = {0, 1};
        QVERIFY_THROWS_EXCEPTION(InputError, MatrixActivationSource{set});
        set.labels.clear();
        set.activations(1, 1) = std::nanf("");
        QVERIFY_THROWS_EXCEPTION(InputError, MatrixActivationSource{set});
        set.activations(1, 1) = 0.0f;
        MatrixActivationSource source(set);
        QCOMPARE(source.evaluationSet(0, 0).size(), 5);
        QCOMPARE(source.evaluationSet(2, 0).size(), 2);
        ActivationSource::Random random(1);
        Eigen::MatrixXf X;
        source.sampleBatch(X, 7, random);
        QCOMPARE(X.cols(), Eigen::Index(7));
    }
};

QTEST_GUILESS_MAIN(TestSaeMetrics)
#include "tst_sae_metrics.moc"

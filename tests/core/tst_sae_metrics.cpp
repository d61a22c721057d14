#include "common/InputError.h"
#include "math/LinearAssignment.h"
#include "math/Rng.h"
#include "sae/MatrixActivationSource.h"
#include "sae/SaeEvaluator.h"
#include "sae/SparseAutoencoder.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>

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
    // Linear assignment (the Hungarian algorithm) against scipy.optimize.linear_sum_assignment's optimal costs
    // (golden values computed with scipy 1.10, matrices rounded to 3 decimals), square and rectangular both ways.
    void linearAssignmentMatchesScipy()
    {
        struct Case {
            int rows, cols;
            std::vector<double> entries; // row-major
            double minimum, maximum;
        };
        const std::vector<Case> cases{
            {6, 6, {1.771, 2.263, 0.378, -0.821, 1.286, -0.415, 1.875, 0.381, 0.828, 2.904, 2.126, 2.375, 1.22, 2.766, -0.927, 2.557, 0.559, -0.073, 1.138, 2.779, 0.324, 2.634, 0.869, 2.869, 2.057, 2.133, 0.446, 1.351, -0.006, 2.201, 0.034, 1.69, -0.699, -0.013, 0.432, -0.312}, -0.547000, 11.677000},
            {5, 8, {0.041, -0.193, -0.841, 0.371, 0.873, 0.669, 2.598, -0.645, 1.496, 0.395, -0.896, 2.092, 0.688, 2.905, 2.098, 2.475, 1.264, 0.358, 2.418, 0.653, 2.485, 2.653, 0.417, 1.901, 2.255, 2.991, 0.83, -0.197, 0.033, 0.527, -0.714, 1.772, -0.773, 0.86, 2.992, 0.613, -0.158, 0.635, 0.045, -0.192}, -2.670000, 13.971000},
            {9, 4, {0.043, 0.225, 0.829, 0.132, 1.556, 2.429, -0.903, 0.861, 1.466, 0.9, 1.644, -0.179, 2.74, 2.984, 2.316, 1.338, 2.332, 1.692, 2.462, 0.996, 0.129, 1.232, 0.982, -0.161, 1.692, 1.923, 0.056, -0.345, 1.325, 0.836, 1.899, 1.976, -0.923, -0.158, 2.466, 1.689}, -1.946000, 9.758000},
            {12, 12, {2.16, 1.977, 1.376, 0.294, 0.143, 1.483, 1.471, 2.674, 1.503, 1.266, -0.933, 1.641, 2.516, 1.562, 1.079, 0.353, 2.975, 0.175, 2.125, 0.978, 1.268, -0.899, 2.218, 0.794, 2.752, 2.826, 2.609, 1.742, -0.292, -0.203, 0.508, -0.299, 2.792, 0.769, 1.826, -0.353, 1.294, -0.621, 0.015, 2.262, 0.725, 2.241, 1.074, 0.994, 0.818, 0.496, 1.158, 0.147, 2.362, -0.04, 1.916, 0.493, 1.177, -0.408, 2.709, 0.333, 2.845, -0.341, 0.296, 1.509, 1.232, 2.426, -0.728, 0.762, 1.182, 1.118, 1.234, 0.589, 2.948, -0.232, 0.261, 0.805, 2.844, -0.001, -0.086, 1.138, 1.122, 0.916, 1.102, 2.151, 2.163, 2.507, 0.482, 1.693, 1.469, -0.13, 1.008, 0.716, 2.895, 1.362, 2.256, 0.835, 2.347, 2.634, -0.384, 1.422, 1.529, 1.129, 2.413, 0.696, 2.476, 2.225, 1.698, -0.207, 0.321, 0.423, 2.804, 2.512, -0.966, 2.789, 1.499, 2.719, 0.392, -0.222, 1.068, 2.551, 0.954, 1.143, -0.753, 0.459, 1.492, 0.858, 1.232, 2.19, 2.288, -0.513, 0.216, -0.465, 1.817, 1.369, 0.716, 2.449, 2.901, 0.937, 1.732, 2.004, 1.86, 0.294, 2.959, -0.255, 0.534, 2.767, 0.482, 2.186}, -3.082000, 32.179000},
        };
        for (const Case& c : cases) {
            Eigen::MatrixXd cost(c.rows, c.cols);
            for (int i = 0; i < c.rows; ++i)
                for (int j = 0; j < c.cols; ++j)
                    cost(i, j) = c.entries[std::size_t(i * c.cols + j)];
            const LinearAssignment low = LinearAssignment::minimise(cost);
            const LinearAssignment high = LinearAssignment::maximise(cost);
            QVERIFY2(std::abs(low.cost - c.minimum) < 1e-9, qPrintable(QStringLiteral("%1 vs %2").arg(low.cost).arg(c.minimum)));
            QVERIFY2(std::abs(high.cost - c.maximum) < 1e-9, qPrintable(QStringLiteral("%1 vs %2").arg(high.cost).arg(c.maximum)));
            // A matching: min(rows, cols) distinct columns, the rest of the rows unmatched.
            std::vector<int> seen(std::size_t(c.cols), 0);
            int matched = 0;
            for (int j : low.rowToColumn)
                if (j >= 0) {
                    QCOMPARE(seen[std::size_t(j)]++, 0);
                    ++matched;
                }
            QCOMPARE(matched, std::min(c.rows, c.cols));
        }
    }

    // ... and against brute force over every matching of small random matrices.
    void linearAssignmentMatchesBruteForce()
    {
        Rng rng(15);
        for (int trial = 0; trial < 60; ++trial) {
            const int n = 1 + int(rng.below(6)), m = 1 + int(rng.below(6));
            Eigen::MatrixXd cost(n, m);
            for (Eigen::Index k = 0; k < cost.size(); ++k)
                cost.data()[k] = std::round(rng.uniform() * 10.0); // ties on purpose
            // Brute force: permute the long side, match the short side to its first min(n, m) entries.
            const bool rowsShort = n <= m;
            std::vector<int> order(std::size_t(rowsShort ? m : n));
            for (std::size_t t = 0; t < order.size(); ++t)
                order[t] = int(t);
            double best = std::numeric_limits<double>::infinity();
            do {
                double sum = 0.0;
                for (int t = 0; t < std::min(n, m); ++t)
                    sum += rowsShort ? cost(t, order[std::size_t(t)]) : cost(order[std::size_t(t)], t);
                best = std::min(best, sum);
            } while (std::next_permutation(order.begin(), order.end()));
            const LinearAssignment a = LinearAssignment::minimise(cost);
            QVERIFY2(std::abs(a.cost - best) < 1e-9,
                     qPrintable(QStringLiteral("%1x%2: %3 vs brute force %4").arg(n).arg(m).arg(a.cost).arg(best)));
        }
        QVERIFY_THROWS_EXCEPTION(InputError, LinearAssignment::minimise(Eigen::MatrixXd::Constant(2, 2, std::nan(""))));
        QVERIFY(LinearAssignment::minimise(Eigen::MatrixXd(0, 3)).rowToColumn.empty());
    }

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

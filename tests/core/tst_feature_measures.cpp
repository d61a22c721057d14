#include "geometry/FeatureMeasures.h"

#include "core/KnownGeometries.h"

#include <QTest>

#include <cmath>
#include <numbers>

using namespace featurescope;

Q_DECLARE_METATYPE(Eigen::MatrixXf)

namespace {

// Equal edges (square sides = zig-zag edges): sqrt(2) r^2 = 4 h^2 with r^2 + h^2 = 1.
const double kRegularAntiprismHeight2 = 1.0 / (1.0 + 2.0 * std::numbers::sqrt2);

// Deterministic pseudo-random matrix (a fixed LCG, so it is the same with every standard library).
Eigen::MatrixXf fixedRandomMatrix(int rows, int cols)
{
    std::uint32_t state = 12345u;
    Eigen::MatrixXf W(rows, cols);
    for (int j = 0; j < cols; ++j) {
        for (int i = 0; i < rows; ++i) {
            state = state * 1664525u + 1013904223u;
            W(i, j) = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
        }
    }
    return W;
}

} // namespace

class TestFeatureMeasures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void uniformPolytopes_data();
    void uniformPolytopes();
    void nonUniformNorms();
    void pentagonGram();
    void normsAboveOneInflateFeaturesPerDimension();
    void regularAntiprismIsNotQuiteThreeEighths();
    void zeroColumn();
    void identity();
    void scaleInvariance_data();
    void scaleInvariance();
    void emptyMatrix();
    void colourValue_data();
    void colourValue();
};

void TestFeatureMeasures::uniformPolytopes_data()
{
    QTest::addColumn<Eigen::MatrixXf>("W");
    QTest::addColumn<double>("dimensionality");
    QTest::addColumn<double>("superposition");

    Eigen::MatrixXf antipodal(1, 2);
    antipodal << 1, -1;
    QTest::newRow("antipodal pair") << antipodal << 0.5 << 1.0;
    // Sum of squared cosines to the others: 2 cos^2(72) + 2 cos^2(144) = 3/2.
    QTest::newRow("pentagon") << regularPolygon(5) << 0.4 << 1.5;
    QTest::newRow("triangle") << regularPolygon(3) << 2.0 / 3.0 << 0.5;
    QTest::newRow("hexagon") << regularPolygon(6) << 1.0 / 3.0 << 2.0;
    QTest::newRow("tetrahedron") << regularTetrahedron() << 0.75 << 1.0 / 3.0;
    // With h^2 = 1/3 the eight directions form a tight frame (sum W_i W_i^T = 8/3 I), hence D = 3/8 exactly.
    QTest::newRow("uniform square antiprism") << squareAntiprism(1.0 / 3.0) << 0.375 << 5.0 / 3.0;
    QTest::newRow("identity") << Eigen::MatrixXf(Eigen::MatrixXf::Identity(4, 4)) << 1.0 << 0.0;
}

void TestFeatureMeasures::uniformPolytopes()
{
    QFETCH(Eigen::MatrixXf, W);
    QFETCH(double, dimensionality);
    QFETCH(double, superposition);

    const FeatureMeasures measures = computeFeatureMeasures(W);
    QCOMPARE(measures.dimensionality.size(), W.cols());
    for (Eigen::Index i = 0; i < W.cols(); ++i) {
        QVERIFY2(std::abs(measures.norms[i] - 1.0) < 1e-6, qPrintable(QString::number(measures.norms[i])));
        QVERIFY2(std::abs(measures.dimensionality[i] - dimensionality) < 1e-5,
                 qPrintable(QString::number(measures.dimensionality[i], 'g', 8)));
        QVERIFY2(std::abs(measures.superposition[i] - superposition) < 1e-5,
                 qPrintable(QString::number(measures.superposition[i], 'g', 8)));
    }
    // Unit columns: ||W||_F^2 = n.
    QVERIFY(std::abs(measures.frobeniusSquared - double(W.cols())) < 1e-5);
    QVERIFY(std::abs(measures.featuresPerDimension - double(W.cols()) / double(W.rows())) < 1e-5);
    QVERIFY(std::abs(measures.dimensionsPerFeature - double(W.rows()) / double(W.cols())) < 1e-5);
}

void TestFeatureMeasures::nonUniformNorms()
{
    // Antipodal pair with norms 1 and 2: the longer feature owns more of the shared dimension (D = 1/5 and 4/5).
    Eigen::MatrixXf W(2, 2);
    W << 1, -2,
         0, 0;
    const FeatureMeasures measures = computeFeatureMeasures(W);
    QVERIFY(std::abs(measures.dimensionality[0] - 0.2) < 1e-6);
    QVERIFY(std::abs(measures.dimensionality[1] - 0.8) < 1e-6);
    QVERIFY(std::abs(measures.superposition[0] - 4.0) < 1e-6);
    QVERIFY(std::abs(measures.superposition[1] - 1.0) < 1e-6);
    QVERIFY(std::abs(measures.norms[1] - 2.0) < 1e-6);
    QVERIFY(std::abs(measures.frobeniusSquared - 5.0) < 1e-6);
    QVERIFY(std::abs(measures.featuresPerDimension - 2.5) < 1e-6);
    QVERIFY(std::abs(measures.dimensionsPerFeature - 0.4) < 1e-6);
}

void TestFeatureMeasures::pentagonGram()
{
    // The pentagon reproduction check (docs/ARCHITECTURE.md §4): neighbours at 72 degrees, W^T W off-diagonals +0.309 and -0.809.
    const Eigen::MatrixXf W = regularPolygon(5);
    const Eigen::MatrixXf gram = W.transpose() * W;
    const double cos72 = std::cos(2.0 * std::numbers::pi / 5.0);
    const double cos144 = std::cos(4.0 * std::numbers::pi / 5.0);
    QVERIFY(std::abs(cos72 - 0.309017) < 1e-6);
    QVERIFY(std::abs(cos144 + 0.809017) < 1e-6);
    for (int i = 0; i < 5; ++i) {
        for (int j = 0; j < 5; ++j) {
            const int steps = std::min((i - j + 5) % 5, (j - i + 5) % 5);
            const double expected = steps == 0 ? 1.0 : steps == 1 ? cos72 : cos144;
            QVERIFY(std::abs(gram(i, j) - expected) < 1e-6);
        }
    }
}

// A pentagon with norms 1.15 holds 5 features in 2 dimensions (2.5 per dimension, the most unit norms allow), but
// ||W||_F^2 / m reads 5 * 1.15^2 / 2 = 3.31: the measures report what unit norms would give, and that norms above 1
// inflate it, down to a few per cent (norms 1.04 read 2.70, which a 1.05 threshold once let pass unexplained).
void TestFeatureMeasures::normsAboveOneInflateFeaturesPerDimension()
{
    const FeatureMeasures big = computeFeatureMeasures(1.15f * regularPolygon(5));
    QVERIFY(std::abs(big.featuresPerDimension - 5.0 * 1.15 * 1.15 / 2.0) < 1e-5);
    QVERIFY(std::abs(big.unitNormPerDimension - 2.5) < 1e-6);
    QVERIFY(std::abs(big.maxNorm - 1.15) < 1e-5);
    QVERIFY(big.normsInflateCount());
    const FeatureMeasures slightly = computeFeatureMeasures(1.04f * regularPolygon(5));
    QVERIFY(slightly.featuresPerDimension > 2.69);
    QVERIFY(slightly.normsInflateCount());
    const FeatureMeasures unit = computeFeatureMeasures(regularPolygon(5));
    QVERIFY(!unit.normsInflateCount());
    QVERIFY(std::abs(unit.unitNormPerDimension - 2.5) < 1e-6);
    // Dropped features (norm 0.1) count as 0.01 each with or without the cap; short norms never inflate.
    Eigen::MatrixXf partly = regularPolygon(5);
    partly.col(3) *= 0.1f;
    const FeatureMeasures dropped = computeFeatureMeasures(partly);
    QVERIFY(std::abs(dropped.unitNormPerDimension - dropped.featuresPerDimension) < 1e-6);
    QVERIFY(!dropped.normsInflateCount());
}

void TestFeatureMeasures::regularAntiprismIsNotQuiteThreeEighths()
{
    // The equal-edge (Archimedean) square antiprism is not a tight frame: its D works out to
    // 1 / (4 r^4 + 8 h^4) = (9 + 4 sqrt 2) / 40 = 0.36642, just below 3/8 (the uniform antiprism above gets 3/8).
    const Eigen::MatrixXf W = squareAntiprism(kRegularAntiprismHeight2);

    // Check the construction really has all 16 edges of one length: each vertex's two square neighbours and its
    // two nearest vertices on the other square.
    const double side = (W.col(0) - W.col(2)).norm();
    QVERIFY(std::abs((W.col(0) - W.col(1)).norm() - side) < 1e-6);
    QVERIFY(std::abs((W.col(0) - W.col(7)).norm() - side) < 1e-6);
    QVERIFY(std::abs((W.col(1) - W.col(2)).norm() - side) < 1e-6);

    const double expected = (9.0 + 4.0 * std::numbers::sqrt2) / 40.0;
    QVERIFY(std::abs(expected - 0.366421) < 1e-6);
    const FeatureMeasures measures = computeFeatureMeasures(W);
    for (int i = 0; i < 8; ++i)
        QVERIFY2(std::abs(measures.dimensionality[i] - expected) < 1e-5,
                 qPrintable(QString::number(measures.dimensionality[i], 'g', 8)));
}

void TestFeatureMeasures::zeroColumn()
{
    Eigen::MatrixXf W(2, 3);
    W << 1, 0, -1,
         0, 0, 0;
    const FeatureMeasures measures = computeFeatureMeasures(W);
    QCOMPARE(measures.norms[1], 0.0f);
    QCOMPARE(measures.dimensionality[1], 0.0f);
    QCOMPARE(measures.superposition[1], 0.0f);
    // The zero column contributes nothing to the others' sums either.
    QVERIFY(std::abs(measures.dimensionality[0] - 0.5) < 1e-6);
    QVERIFY(std::abs(measures.dimensionality[2] - 0.5) < 1e-6);

    // Below the epsilon counts as unlearned too.
    Eigen::MatrixXf tiny(2, 1);
    tiny << 1e-8f, 0;
    const FeatureMeasures tinyMeasures = computeFeatureMeasures(tiny);
    QCOMPARE(tinyMeasures.dimensionality[0], 0.0f);
    QCOMPARE(tinyMeasures.superposition[0], 0.0f);
}

void TestFeatureMeasures::identity()
{
    // More dimensions than features: every feature is dedicated.
    Eigen::MatrixXf W = Eigen::MatrixXf::Identity(5, 3);
    const FeatureMeasures measures = computeFeatureMeasures(W);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(measures.dimensionality[i], 1.0f);
        QCOMPARE(measures.superposition[i], 0.0f);
    }
    QVERIFY(std::abs(measures.featuresPerDimension - 0.6) < 1e-12);
    QVERIFY(std::abs(measures.dimensionsPerFeature - 5.0 / 3.0) < 1e-12);
}

void TestFeatureMeasures::scaleInvariance_data()
{
    QTest::addColumn<float>("scale");
    QTest::newRow("1e-3") << 1e-3f;
    QTest::newRow("0.5") << 0.5f;
    QTest::newRow("3") << 3.0f;
    QTest::newRow("1e3") << 1e3f;
}

void TestFeatureMeasures::scaleInvariance()
{
    // W -> cW multiplies the features per dimension by c^2 and leaves every D_i alone (docs/ARCHITECTURE.md §4).
    QFETCH(float, scale);
    const Eigen::MatrixXf W = fixedRandomMatrix(5, 20);
    const FeatureMeasures base = computeFeatureMeasures(W);
    const FeatureMeasures scaled = computeFeatureMeasures(scale * W);

    const double c2 = double(scale) * double(scale);
    QVERIFY(base.featuresPerDimension > 0);
    QVERIFY(std::abs(scaled.featuresPerDimension / (c2 * base.featuresPerDimension) - 1.0) < 1e-6);
    QVERIFY(std::abs(scaled.frobeniusSquared / (c2 * base.frobeniusSquared) - 1.0) < 1e-6);
    QVERIFY(std::abs(scaled.dimensionsPerFeature * c2 / base.dimensionsPerFeature - 1.0) < 1e-6);
    for (int i = 0; i < W.cols(); ++i) {
        QVERIFY(base.dimensionality[i] > 0);
        QVERIFY2(std::abs(scaled.dimensionality[i] / base.dimensionality[i] - 1.0f) < 1e-6f,
                 qPrintable(QString::number(scaled.dimensionality[i] / base.dimensionality[i] - 1.0f)));
        // Superposition is measured against the unscaled W_j, so it scales by c^2 as well.
        QVERIFY(std::abs(scaled.superposition[i] / (c2 * base.superposition[i]) - 1.0) < 1e-5);
    }
}

void TestFeatureMeasures::emptyMatrix()
{
    const FeatureMeasures noFeatures = computeFeatureMeasures(Eigen::MatrixXf(3, 0));
    QCOMPARE(noFeatures.norms.size(), Eigen::Index(0));
    QCOMPARE(noFeatures.frobeniusSquared, 0.0);
    QCOMPARE(noFeatures.dimensionsPerFeature, 0.0);

    const FeatureMeasures noDimensions = computeFeatureMeasures(Eigen::MatrixXf(0, 4));
    QCOMPARE(noDimensions.dimensionality.size(), Eigen::Index(4));
    QCOMPARE(noDimensions.dimensionality[0], 0.0f);
    QCOMPARE(noDimensions.featuresPerDimension, 0.0);
}

void TestFeatureMeasures::colourValue_data()
{
    QTest::addColumn<float>("superposition");
    QTest::addColumn<float>("norm");
    QTest::addColumn<float>("expected");

    QTest::newRow("orthogonal") << 0.0f << 1.0f << 0.0f;
    QTest::newRow("sqrt") << 0.25f << 1.0f << 0.5f;
    QTest::newRow("clamped above 1") << 1.5f << 1.0f << 1.0f;
    QTest::newRow("full gate at 0.5") << 0.25f << 0.5f << 0.5f;
    QTest::newRow("half gate") << 1.0f << 0.25f << 0.5f;
    QTest::newRow("unlearned") << 4.0f << 0.0f << 0.0f;
    QTest::newRow("negative rounding") << -1e-9f << 1.0f << 0.0f;
    QTest::newRow("nan") << std::numeric_limits<float>::quiet_NaN() << 1.0f << 0.0f;
}

void TestFeatureMeasures::colourValue()
{
    QFETCH(float, superposition);
    QFETCH(float, norm);
    QFETCH(float, expected);
    QVERIFY(std::abs(superpositionColourValue(superposition, norm) - expected) < 1e-6f);
}

QTEST_GUILESS_MAIN(TestFeatureMeasures)
#include "tst_feature_measures.moc"

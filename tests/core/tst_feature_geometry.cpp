#include "geometry/FeatureGeometry.h"

#include "core/KnownGeometries.h"

#include <QTest>

#include <cmath>
#include <numbers>

using namespace featurescope;

Q_DECLARE_METATYPE(Eigen::MatrixXf)

namespace {

QByteArray describe(const std::vector<GeometryComponent>& components)
{
    QByteArray text;
    for (const GeometryComponent& component : components) {
        text += QByteArray(component.kind.c_str()) + '[';
        for (size_t k = 0; k < component.features.size(); ++k)
            text += (k ? "," : "") + QByteArray::number(component.features[k]);
        text += "] ";
    }
    return text.trimmed();
}

} // namespace

class TestFeatureGeometry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void summaryCountsKindsInOrder()
    {
        std::vector<GeometryComponent> c{{"digon", {0, 1}, 0.5}, {"not learned", {2, 3, 4}, 0.0},
                                         {"dedicated", {5}, 1.0}, {"digon", {6, 7}, 0.5},
                                         {"tetrahedron", {8, 9, 10, 11}, 0.75}, {"tetrahedron", {12, 13, 14, 15}, 0.75}};
        QCOMPARE(QString::fromStdString(summariseGeometry(c, ", ")),
                 QStringLiteral("2 digons, dedicated, 2 tetrahedra, 3 not learned"));
        QCOMPARE(QString::fromStdString(summariseGeometry(c, "\n", false)),
                 QStringLiteral("2 digons\ndedicated\n2 tetrahedra"));
        QCOMPARE(QString::fromStdString(summariseGeometry({}, ", ")), QString());
    }

    void kindName_data();
    void kindName();
    void components_data();
    void components();
    void meanDimensionality();
    void mixedMatrix();
    void cosineTolerance();
    void learnedThreshold();
};

void TestFeatureGeometry::kindName_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<double>("dimensionality");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("dedicated") << 1 << 0.98 << QByteArray("dedicated");
    QTest::newRow("lonely but shared") << 1 << 0.7 << QByteArray("other (1 feature)");
    QTest::newRow("digon") << 2 << 0.5 << QByteArray("digon");
    QTest::newRow("loose pair") << 2 << 0.8 << QByteArray("other (2 features)");
    QTest::newRow("triangle") << 3 << 0.65 << QByteArray("triangle");
    QTest::newRow("tetrahedron") << 4 << 0.75 << QByteArray("tetrahedron");
    QTest::newRow("square") << 4 << 0.52 << QByteArray("square");
    QTest::newRow("pentagon") << 5 << 0.4 << QByteArray("pentagon");
    QTest::newRow("pentagon off") << 5 << 0.5 << QByteArray("other (5 features)");
    QTest::newRow("hexagon") << 6 << 1.0 / 3.0 << QByteArray("6-gon");
    QTest::newRow("heptagon") << 7 << 2.0 / 7.0 << QByteArray("7-gon");
    QTest::newRow("square antiprism") << 8 << 0.375 << QByteArray("square antiprism");
    QTest::newRow("regular antiprism") << 8 << 0.3664 << QByteArray("square antiprism");
    QTest::newRow("octagon") << 8 << 0.25 << QByteArray("8-gon");
    QTest::newRow("six at 3/8") << 6 << 0.45 << QByteArray("other (6 features)");
}

void TestFeatureGeometry::kindName()
{
    QFETCH(int, size);
    QFETCH(double, dimensionality);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray(geometryKindName(size, dimensionality, 0.06).c_str()), expected);
}

void TestFeatureGeometry::components_data()
{
    QTest::addColumn<Eigen::MatrixXf>("W");
    QTest::addColumn<QByteArray>("expected");

    Eigen::MatrixXf antipodal(1, 2);
    antipodal << 1, -1;
    QTest::newRow("antipodal") << antipodal << QByteArray("digon[0,1]");
    QTest::newRow("triangle") << regularPolygon(3) << QByteArray("triangle[0,1,2]");
    QTest::newRow("pentagon") << regularPolygon(5) << QByteArray("pentagon[0,1,2,3,4]");
    QTest::newRow("hexagon") << regularPolygon(6) << QByteArray("6-gon[0,1,2,3,4,5]");
    QTest::newRow("tetrahedron") << regularTetrahedron() << QByteArray("tetrahedron[0,1,2,3]");
    QTest::newRow("uniform antiprism") << squareAntiprism(1.0 / 3.0)
                                       << QByteArray("square antiprism[0,1,2,3,4,5,6,7]");
    QTest::newRow("regular antiprism") << squareAntiprism(1.0 / (1.0 + 2.0 * std::numbers::sqrt2))
                                       << QByteArray("square antiprism[0,1,2,3,4,5,6,7]");
    QTest::newRow("identity") << Eigen::MatrixXf(Eigen::MatrixXf::Identity(3, 3))
                              << QByteArray("dedicated[0] dedicated[1] dedicated[2]");

    // Three unit vectors at 60 degrees to each other in 3-D also have D = 2/3, but they are not a triangle.
    Eigen::MatrixXf bent(3, 3);
    const float a = std::sqrt(0.5f);
    bent << a, a, 0,
            a, 0, a,
            0, a, a;
    QTest::newRow("non-planar 2/3") << bent << QByteArray("other (3 features)[0,1,2]");

    // A short and a long antipodal feature: D = 1/5 and 4/5 average to 1/2, but that is no digon.
    Eigen::MatrixXf lopsided(1, 2);
    lopsided << 1, -2;
    QTest::newRow("lopsided pair") << lopsided << QByteArray("other (2 features)[0,1]");

    Eigen::MatrixXf zero(2, 3);
    zero << 1, 0, 0,
            0, 0, 1;
    QTest::newRow("zero column") << zero << QByteArray("dedicated[0] dedicated[2] not learned[1]");
    QTest::newRow("nothing learned") << Eigen::MatrixXf(Eigen::MatrixXf::Zero(2, 2))
                                     << QByteArray("not learned[0,1]");
    QTest::newRow("no features") << Eigen::MatrixXf(2, 0) << QByteArray();
}

void TestFeatureGeometry::components()
{
    QFETCH(Eigen::MatrixXf, W);
    QFETCH(QByteArray, expected);
    QCOMPARE(describe(findFeatureGeometry(W)), expected);
}

void TestFeatureGeometry::meanDimensionality()
{
    const auto pentagon = findFeatureGeometry(regularPolygon(5));
    QCOMPARE(pentagon.size(), size_t(1));
    QVERIFY(std::abs(pentagon[0].meanDimensionality - 0.4) < 1e-6);

    Eigen::MatrixXf zero(2, 2);
    zero << 1, 0,
            0, 0;
    const auto withZero = findFeatureGeometry(zero);
    QCOMPARE(withZero.size(), size_t(2));
    QCOMPARE(withZero[0].meanDimensionality, 1.0);
    QCOMPARE(withZero[1].kind, std::string("not learned"));
    QCOMPARE(withZero[1].meanDimensionality, 0.0);
}

void TestFeatureGeometry::mixedMatrix()
{
    // m = 3: an antipodal pair on the z axis (features 1 and 4) and a triangle in the xy plane (0, 2, 5), with a
    // zero column (3) and the indices interleaved so the mapping back to features is exercised.
    const Eigen::MatrixXf triangle = regularPolygon(3);
    Eigen::MatrixXf W = Eigen::MatrixXf::Zero(3, 6);
    W.block(0, 0, 2, 1) = triangle.col(0);
    W.block(0, 2, 2, 1) = triangle.col(1);
    W.block(0, 5, 2, 1) = triangle.col(2);
    W(2, 1) = 1.0f;
    W(2, 4) = -1.0f;

    const auto components = findFeatureGeometry(W);
    QCOMPARE(describe(components), QByteArray("triangle[0,2,5] digon[1,4] not learned[3]"));
    QVERIFY(std::abs(components[0].meanDimensionality - 2.0 / 3.0) < 1e-6);
    QVERIFY(std::abs(components[1].meanDimensionality - 0.5) < 1e-6);

    // A slight tilt of the pair towards the plane stays under the cosine tolerance and changes nothing.
    W(0, 1) = 0.05f;
    QCOMPARE(describe(findFeatureGeometry(W)), QByteArray("triangle[0,2,5] digon[1,4] not learned[3]"));
}

void TestFeatureGeometry::cosineTolerance()
{
    // Two features at cos = 0.2: one component at the default tolerance 0.1, two dedicated ones at 0.3.
    Eigen::MatrixXf W(2, 2);
    const float s = std::sqrt(1.0f - 0.04f);
    W << 1, 0.2f,
         0, s;
    QCOMPARE(describe(findFeatureGeometry(W)), QByteArray("other (2 features)[0,1]"));
    GeometryOptions options;
    options.cosineTolerance = 0.3f;
    QCOMPARE(describe(findFeatureGeometry(W, options)), QByteArray("dedicated[0] dedicated[1]"));
}

void TestFeatureGeometry::learnedThreshold()
{
    // A feature of norm 0.2 (under the 0.3 default) is not a node, whatever its direction.
    Eigen::MatrixXf W(2, 3);
    W << 1, -1, 0.2f,
         0, 0, 0;
    QCOMPARE(describe(findFeatureGeometry(W)), QByteArray("digon[0,1] not learned[2]"));
    GeometryOptions options;
    options.learnedNormThreshold = 0.1f;
    QCOMPARE(describe(findFeatureGeometry(W, options)), QByteArray("other (3 features)[0,1,2]"));
}

QTEST_GUILESS_MAIN(TestFeatureGeometry)
#include "tst_feature_geometry.moc"

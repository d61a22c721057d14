// The superposition panel's plot components: each is fed real weights (a pentagon, antipodal pairs, a tetrahedron,
// a random 30 x 400 matrix) and checked for drawn content, selection state, click-to-feature and robustness.
// Set FEATURESCOPE_PLOT_PNG_DIR to also write every plot at 640x480 and 1280x720 for a look.

#include "common/Theme.h"
#include "plots/FeatureArrowsPlot.h"
#include "plots/FeaturePalette.h"
#include "plots/GramHeatmapPlot.h"
#include "plots/LossCurvePlot.h"
#include "plots/NeuronBarsPlot.h"
#include "plots/NormBarsPlot.h"
#include "plots/PhaseDiagramPlot.h"
#include "plots/StickyFractionPlot.h"

#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"

#include "core/KnownGeometries.h"
#include "PlotTestHelpers.h"

#include <QDir>
#include <QImage>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <random>

using namespace featurescope;

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();

// Two antipodal pairs (features 0/1 and 2/3) and a dropped feature 4.
Eigen::MatrixXf antipodalPairs()
{
    Eigen::MatrixXf W(2, 5);
    W << 1.0f, -1.0f, 0.0f, 0.0f, 0.02f,
         0.0f, 0.0f, 0.9f, -0.9f, 0.01f;
    return W;
}

// A small sweep of n = 5, m = 2 models: dense (two dedicated features), then a pair, then a pentagon.
std::vector<Eigen::MatrixXf> sweepWeights()
{
    Eigen::MatrixXf dense = Eigen::MatrixXf::Zero(2, 5);
    dense(0, 0) = 1.0f;
    dense(1, 1) = 1.0f;
    dense(0, 3) = 0.03f;
    Eigen::MatrixXf pairs = antipodalPairs();
    Eigen::MatrixXf pentagon = regularPolygon(5, 1.05f);
    Eigen::MatrixXf tilted = regularPolygon(5, 1.1f);
    tilted.col(4) *= 0.05f;
    return {dense, pairs, tilted, pentagon};
}

QStringList sweepTitles() { return {QStringLiteral("1\u2212S = 1"), QStringLiteral("1\u2212S = 0.3"), QStringLiteral("1\u2212S = 0.1"), QStringLiteral("1\u2212S = 0.03")}; }

std::vector<std::vector<GeometryComponent>> geometryOf(const std::vector<Eigen::MatrixXf>& W)
{
    std::vector<std::vector<GeometryComponent>> geometry;
    for (const auto& w : W)
        geometry.push_back(findFeatureGeometry(w));
    return geometry;
}

void replotNow(QCustomPlot& plot) { plot.replot(QCustomPlot::rpImmediateRefresh); }

QImage drawn(QCustomPlot& plot, int width = 0, int height = 0) { return plot.toPixmap(width, height).toImage(); }

int nonWhitePixels(const QImage& image)
{
    int count = 0;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            if ((image.pixel(x, y) & 0xFFFFFF) != 0xFFFFFF)
                ++count;
    return count;
}

// Every visible layout element of the plot lies inside the viewport (nothing laid out beyond the edges).
bool layoutInside(QCustomPlot& plot)
{
    const QRect viewport = plot.viewport();
    bool inside = true;
    const auto elements = plot.plotLayout()->elements(true);
    for (QCPLayoutElement* element : elements) {
        if (!element || !element->visible())
            continue;
        if (!viewport.adjusted(-1, -1, 1, 1).contains(element->outerRect())) {
            qWarning() << element->metaObject()->className() << element->outerRect() << "outside" << viewport;
            inside = false;
        }
    }
    return inside;
}

void click(QWidget& widget, const QPointF& pixel)
{
    QTest::mouseClick(&widget, Qt::LeftButton, Qt::NoModifier, pixel.toPoint());
}

struct StickyData {
    std::vector<double> inverseDensity;
    std::vector<double> dimensionsPerFeature;
    std::vector<std::vector<float>> featureDimensionality;
};

// A sweep of n = 20, m = 5 models whose learned features sit in dedicated dimensions, digons and pentagons.
StickyData stickyData()
{
    StickyData data;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> noise(-0.03f, 0.03f);
    for (int k = 0; k < 14; ++k) {
        const double x = std::pow(10.0, 2.0 * k / 13.0);
        data.inverseDensity.push_back(x);
        std::vector<float> d;
        const double t = double(k) / 13.0;
        // Five dimensions shared by dedicated features (1 each), antipodal pairs (1 per pair) and a pentagon (2).
        const int pentagons = t > 0.6 ? 1 : 0;
        const int remaining = 5 - 2 * pentagons;
        const int pairs = std::min(remaining, int(std::round(remaining * t * 1.6)));
        const int dedicated = remaining - pairs;
        for (int i = 0; i < dedicated; ++i)
            d.push_back(1.0f + noise(rng) * 0.2f);
        for (int i = 0; i < 2 * pairs; ++i)
            d.push_back(0.5f + noise(rng));
        for (int i = 0; i < 5 * pentagons; ++i)
            d.push_back(0.4f + noise(rng));
        data.dimensionsPerFeature.push_back(5.0 / std::max<double>(5.0, double(d.size())));
        data.featureDimensionality.push_back(d);
    }
    return data;
}

std::vector<std::vector<float>> lossHistories(int instances, int steps)
{
    auto loss = std::vector<std::vector<float>>(std::size_t(instances), std::vector<float>(std::size_t(steps), 0.0f));
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 0.04f);
    for (int k = 0; k < instances; ++k) {
        const double floor = 0.002 * std::pow(3.0, k) / 10.0 + 1e-3;
        for (int s = 0; s < steps; ++s) {
            double v = floor + 0.08 * std::exp(-s / (600.0 + 200.0 * k));
            v *= std::exp(noise(rng));
            loss[std::size_t(k)][std::size_t(s)] = float(v);
        }
        loss[std::size_t(k)][std::size_t((steps / 3 + 137 * k) % steps)] = 0.5f; // a spike
    }
    return loss;
}

struct PhaseData {
    std::vector<double> x, y;
    std::vector<int> cells;
    std::vector<std::vector<QPointF>> boundaries;
};

// n = 3, m = 2 with the analytic losses of docs/ARCHITECTURE.md §4: the cell is the cheapest arrangement.
int phaseCell(double r, double s)
{
    const double dropExtra = r * (s / 3 - s * s / 4);
    const double dropFirst = s / 3 - s * s / 4;
    const double pairFirst = s * s / 3;
    const double pairExtra = (1 + r) * s * s / 6;
    const double best = std::min({dropExtra, dropFirst, pairFirst, pairExtra});
    if (best == dropExtra)
        return 0;
    if (best == pairExtra)
        return 2;
    return 1;
}

PhaseData phaseData(int nx = 25, int ny = 20)
{
    PhaseData data;
    for (int i = 0; i < nx; ++i)
        data.x.push_back(std::pow(10.0, -1.0 + 2.0 * i / (nx - 1)));
    for (int j = 0; j < ny; ++j)
        data.y.push_back(std::pow(10.0, -2.0 * j / (ny - 1))); // 1 -> 0.01
    for (int j = 0; j < ny; ++j)
        for (int i = 0; i < nx; ++i)
            data.cells.push_back(phaseCell(data.x[std::size_t(i)], data.y[std::size_t(j)]));
    // Boundaries traced on a fine grid: for each density, where the category changes along r.
    std::vector<QPointF> a, b;
    for (int j = 0; j <= 200; ++j) {
        const double s = std::pow(10.0, -2.0 * j / 200.0);
        int previous = phaseCell(0.1, s);
        for (int i = 1; i <= 400; ++i) {
            const double r = std::pow(10.0, -1.0 + 2.0 * i / 400.0);
            const int cell = phaseCell(r, s);
            if (cell != previous) {
                (previous == 0 ? a : b).push_back(QPointF(r, s));
                previous = cell;
            }
        }
    }
    data.boundaries = {a, b};
    return data;
}

Eigen::MatrixXf neuronWeights()
{
    // 5 neurons x 8 features: neurons 0-2 monosemantic, 3-4 polysemantic with inhibition.
    Eigen::MatrixXf W = Eigen::MatrixXf::Zero(5, 8);
    W(0, 0) = 1.1f;
    W(1, 1) = 1.0f;
    W(2, 2) = 0.95f;
    W(3, 3) = 0.8f;
    W(3, 4) = 0.7f;
    W(3, 5) = -0.4f;
    W(4, 5) = 0.75f;
    W(4, 6) = 0.6f;
    W(4, 7) = -0.3f;
    W(4, 3) = -0.25f;
    W(0, 7) = 0.05f;
    return W;
}

} // namespace

class TestSuperpositionPlots : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void palette();

    void arrows_drawsPanels();
    void arrows_geometryNoteHidesNothing();
    void arrows_projectsHigherDimensions();
    void arrows_selectionAndClick();
    void arrows_badInput();

    void gram_values();
    void gram_selectionAndClick();
    void gram_badInput();

    void normBars_values();
    void normBars_selectionAndClick();
    void normBars_badInput();
    void featureColoursStayDistinct();
    void normBars_titlesFitTheirColumns();

    void sticky_values();
    void sticky_selectionAndClick();
    void sticky_badInput();

    void loss_decimationKeepsSpikes();
    void loss_curvesAndClick();
    void loss_badInput();

    void neuronBars_stacking();
    void neuronBars_selectionAndClick();
    void neuronBars_badInput();

    void phase_cells();
    void phase_clickAndBadInput();

    void render_data();
    void render();
};

void TestSuperpositionPlots::palette()
{
    QCOMPARE(FeaturePalette::featureColor(0), QColor(0x00, 0x72, 0xB2));
    QSet<QRgb> colours;
    for (int i = 0; i < 40; ++i)
        colours.insert(FeaturePalette::featureColor(i).rgb());
    QCOMPARE(colours.size(), 40);
    QCOMPARE(FeaturePalette::featureColor(17), FeaturePalette::featureColor(17)); // deterministic

    QCPColorGradient diverging = FeaturePalette::diverging();
    const QColor low = QColor::fromRgb(diverging.color(-1.0, QCPRange(-1, 1)));
    const QColor mid = QColor::fromRgb(diverging.color(0.0, QCPRange(-1, 1)));
    const QColor high = QColor::fromRgb(diverging.color(1.0, QCPRange(-1, 1)));
    QVERIFY(low.blue() > low.red());
    QVERIFY(high.red() > high.blue());
    QVERIFY(mid.red() > 240 && mid.green() > 240 && mid.blue() > 240);
    QVERIFY(FeaturePalette::divergingColor(-1).blue() > FeaturePalette::divergingColor(-1).red());

    // Sequential: dark to bright, monotone in luminance, clamped, NaN grey.
    double previous = -1;
    for (int k = 0; k <= 20; ++k) {
        const QColor c = FeaturePalette::sequentialColor(k / 20.0);
        const double luminance = 0.2126 * c.redF() + 0.7152 * c.greenF() + 0.0722 * c.blueF();
        QVERIFY(luminance > previous);
        previous = luminance;
    }
    QVERIFY(FeaturePalette::sequentialColor(0).lightnessF() < 0.3);
    QVERIFY(FeaturePalette::sequentialColor(1).lightnessF() > 0.5);
    QCOMPARE(FeaturePalette::sequentialColor(7.0), FeaturePalette::sequentialColor(1.0));
    QCOMPARE(FeaturePalette::sequentialColor(std::nan("")), FeaturePalette::nanColor());
    QCOMPARE(QColor::fromRgb(FeaturePalette::sequential().color(0.0, QCPRange(0, 1))).name(),
             FeaturePalette::sequentialColor(0.0).name());
}

void TestSuperpositionPlots::arrows_geometryNoteHidesNothing()
{
    // Two learned features, one pointing into the top-left corner where the note would go first, and three not
    // learned: the note ("2 dedicated / 3 not learned") moves to a corner where it covers no tip and no index label.
    // Also in panels smaller than the screen's, at the plot's minimum size hint (four columns of 240 px, the least an
    // export lays them out at): a note sized for a 240 px panel sat on the arrows of smaller panels.
    struct Layout {
        int instances;
        QSize size;
    };
    for (const Layout layout : {Layout{1, QSize(420, 440)}, Layout{4, QSize()}})
        for (const double angle : {115.0, 60.0, -120.0}) {
            Eigen::MatrixXf w = Eigen::MatrixXf::Zero(2, 5);
            const double a = angle * M_PI / 180.0;
            w(0, 0) = float(std::cos(a));
            w(1, 0) = float(std::sin(a));
            w(0, 1) = float(std::cos(a + 2.5));
            w(1, 1) = float(std::sin(a + 2.5));
            const std::vector<Eigen::MatrixXf> W(std::size_t(layout.instances), w);
            FeatureArrowsPlot plot;
            plot.setInstances(W, QStringList(layout.instances, QStringLiteral("two learned")), geometryOf(W));
            const QSize size = layout.size.isValid() ? layout.size : plot.minimumSizeHint();
            showAt(plot, size);
            replotNow(plot);
            QCOMPARE(plot.columnCount(), layout.instances);
            const QString note = plot.geometryLabel(0);
            QVERIFY2(note.contains(QStringLiteral("not learned")), qPrintable(note));
            std::vector<QRectF> boxes;
            std::vector<QPointF> covered;
            for (int i = 0; i < plot.itemCount(); ++i)
                if (auto* text = qobject_cast<QCPItemText*>(plot.item(i))) {
                    if (text->text() == note)
                        boxes.push_back(QRectF(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition()).normalized());
                    else if (text->text() == QLatin1String("0") || text->text() == QLatin1String("1"))
                        covered.push_back(text->position->pixelPosition());
                }
            QCOMPARE(int(boxes.size()), layout.instances);
            QCOMPARE(int(covered.size()), 2 * layout.instances);
            for (int k = 0; k < layout.instances; ++k) {
                covered.push_back(plot.tipPixel(k, 0));
                covered.push_back(plot.tipPixel(k, 1));
            }
            for (const QRectF& box : boxes)
                for (const QPointF& p : covered)
                    QVERIFY2(!box.adjusted(-4, -4, 4, 4).contains(p),
                             qPrintable(QStringLiteral("%1 panel(s) at %2 px, angle %3: note covers (%4, %5)")
                                            .arg(layout.instances).arg(size.width()).arg(angle).arg(p.x()).arg(p.y())));
        }
}

void TestSuperpositionPlots::arrows_drawsPanels()
{
    FeatureArrowsPlot plot;
    const auto W = sweepWeights();
    plot.setInstances(W, sweepTitles(), geometryOf(W));
    showAt(plot, QSize(900, 600));
    replotNow(plot);

    QCOMPARE(plot.instanceCount(), 4);
    QCOMPARE(plot.axisRects().size(), 4);
    QVERIFY(!plot.isProjected());
    QVERIFY(plot.itemCount() > 4 * 5);
    QCOMPARE(plot.geometryLabel(3), QStringLiteral("pentagon"));
    QCOMPARE(plot.geometryLabel(1), QStringLiteral("2 digons\n1 not learned"));
    QVERIFY(plot.geometryLabel(0).contains(QStringLiteral("2 dedicated")));
    // One symmetric range, the same for every panel, and square panels.
    QVERIFY(plot.axisLimit() >= 1.3);
    for (int k = 0; k < 4; ++k) {
        QCPAxisRect* rect = plot.instanceRect(k);
        QVERIFY(rect);
        QCOMPARE(rect->axis(QCPAxis::atBottom)->range().lower, -plot.axisLimit());
        QCOMPARE(rect->axis(QCPAxis::atLeft)->range().upper, plot.axisLimit());
        QVERIFY(std::abs(rect->rect().width() - rect->rect().height()) <= 1);
        QVERIFY(rect->rect().width() > 120);
    }
    // Arrows end at W_i; dropped features have no arrow.
    QVERIFY(plot.arrowItem(3, 2));
    QCOMPARE(plot.arrowItem(3, 2)->end->coords().x(), double(W[3](0, 2)));
    QVERIFY(plot.isDropped(1, 4));
    QVERIFY(!plot.arrowItem(1, 4));
    QVERIFY(layoutInside(plot));
}

void TestSuperpositionPlots::arrows_projectsHigherDimensions()
{
    FeatureArrowsPlot plot;
    const std::vector<Eigen::MatrixXf> W = {regularTetrahedron(), randomMatrix(30, 400, 1)};
    plot.setInstances(W, {QStringLiteral("tetrahedron"), QStringLiteral("random 30 x 400")}, geometryOf(W));
    showAt(plot, QSize(900, 500));
    replotNow(plot);
    QVERIFY(plot.isProjected());
    bool mentioned = false;
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true))
        if (auto* text = qobject_cast<QCPTextElement*>(element))
            mentioned = mentioned || text->text().contains(QStringLiteral("PCA projection"));
    QVERIFY(mentioned);
    // A projection never lengthens a column.
    for (int i = 0; i < 4; ++i) {
        const QPointF tip = plot.tipCoordinates(0, i);
        QVERIFY(std::hypot(tip.x(), tip.y()) <= W[0].col(i).norm() + 1e-4);
    }
    QCOMPARE(plot.geometryLabel(0), QStringLiteral("tetrahedron"));
    QVERIFY(nonWhitePixels(drawn(plot)) > 1000);

    // m == 1: dots on a line.
    Eigen::MatrixXf line(1, 3);
    line << 1.0f, -0.8f, 0.0f;
    plot.setInstances({line}, {QStringLiteral("m = 1")}, {});
    replotNow(plot);
    QVERIFY(!plot.isProjected());
    QCOMPARE(plot.tipCoordinates(0, 1), QPointF(-0.8f, 0.0));
    QVERIFY(nonWhitePixels(drawn(plot)) > 200);
}

void TestSuperpositionPlots::arrows_selectionAndClick()
{
    FeatureArrowsPlot plot;
    const auto W = sweepWeights();
    plot.setInstances(W, sweepTitles(), geometryOf(W));
    showAt(plot, QSize(1000, 600));
    replotNow(plot);
    QSignalSpy clicked(&plot, &FeatureArrowsPlot::featureClicked);

    // The tip of feature 2 in the pentagon panel, from the panel's own axes.
    QCPAxisRect* rect = plot.instanceRect(3);
    const QPointF tip(rect->axis(QCPAxis::atBottom)->coordToPixel(W[3](0, 2)),
                      rect->axis(QCPAxis::atLeft)->coordToPixel(W[3](1, 2)));
    QVERIFY(rect->rect().contains(tip.toPoint()));
    QCOMPARE(plot.tipPixel(3, 2), tip);
    click(plot, tip);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), 2);
    QVERIFY(plot.hoverText(tip).contains(QStringLiteral("feature 2")));
    // Hovering shows the numbers in a tooltip.
    QTest::mouseMove(&plot, tip.toPoint());
    QTRY_VERIFY(QToolTip::text().contains(QStringLiteral("feature 2")));
    QVERIFY(QToolTip::text().contains(QStringLiteral("D = 0.400")));
    // Halfway along the shaft of feature 4 (angle 288°) also hits it.
    const QPointF mid(rect->axis(QCPAxis::atBottom)->coordToPixel(0.6 * W[3](0, 4)),
                      rect->axis(QCPAxis::atLeft)->coordToPixel(0.6 * W[3](1, 4)));
    click(plot, mid);
    QCOMPARE(clicked.count(), 2);
    QCOMPARE(clicked.at(1).at(0).toInt(), 4);
    // The panel's empty corner hits nothing.
    QSignalSpy background(&plot, &FeatureArrowsPlot::backgroundClicked);
    click(plot, rect->rect().topRight() + QPoint(-3, 3));
    QCOMPARE(clicked.count(), 2);
    QCOMPARE(background.count(), 1);

    const double widthBefore = plot.arrowItem(3, 2)->pen().widthF();
    const QImage before = drawn(plot);
    plot.setSelectedFeature(2);
    QCOMPARE(plot.selectedFeature(), 2);
    QVERIFY(plot.arrowItem(3, 2)->pen().widthF() > widthBefore);
    QVERIFY(plot.arrowItem(3, 1)->pen().color().alpha() < 255);
    QCOMPARE(plot.arrowItem(3, 2)->layer()->name(), QStringLiteral("overlay"));
    QVERIFY(drawn(plot) != before);
    plot.setSelectedFeature(-1);
    QCOMPARE(plot.arrowItem(3, 2)->pen().widthF(), widthBefore);
    QCOMPARE(plot.arrowItem(3, 1)->pen().color().alpha(), 255);
    plot.setSelectedFeature(99); // out of range for every instance: nothing highlighted, nothing breaks
    replotNow(plot);
}

void TestSuperpositionPlots::arrows_badInput()
{
    FeatureArrowsPlot plot;
    showAt(plot, QSize(640, 480));
    plot.setInstances({}, {}, {});
    replotNow(plot);
    QCOMPARE(plot.instanceCount(), 0);
    Eigen::MatrixXf nan = regularPolygon(5);
    nan(0, 1) = kNaNf;
    nan(1, 3) = std::numeric_limits<float>::infinity();
    plot.setInstances({nan, Eigen::MatrixXf(2, 0), Eigen::MatrixXf(0, 3), Eigen::MatrixXf::Zero(4, 6)}, {}, {});
    replotNow(plot);
    QCOMPARE(plot.instanceCount(), 4);
    QVERIFY(std::isfinite(plot.tipCoordinates(0, 1).x()));
    QVERIFY(!plot.hoverText(plot.tipPixel(0, 0)).isEmpty());
    plot.setSelectedFeature(3);
    drawn(plot, 300, 200);
    plot.clear();
    QCOMPARE(plot.instanceCount(), 0);
}

void TestSuperpositionPlots::gram_values()
{
    GramHeatmapPlot plot;
    const Eigen::MatrixXf W = regularPolygon(5);
    Eigen::VectorXf b(5);
    b << -0.2f, -0.1f, 0.0f, 0.1f, 0.3f;
    plot.setMatrix(W, b);
    showAt(plot, QSize(900, 600));
    replotNow(plot);

    QCOMPARE(plot.featureCount(), 5);
    QCPColorMap* map = plot.gramMap();
    QCOMPARE(map->data()->keySize(), 5);
    QCOMPARE(map->data()->valueSize(), 5);
    QCOMPARE(map->dataRange(), QCPRange(-1.0, 1.0));
    QCOMPARE(plot.colorScale()->dataRange(), QCPRange(-1.0, 1.0));
    for (int i = 0; i < 5; ++i) {
        QVERIFY(std::abs(map->data()->cell(i, i) - 1.0) < 1e-5);
        // Neighbours at 72°: cos = 0.309; next-nearest at 144°: -0.809.
        QVERIFY(std::abs(map->data()->cell((i + 1) % 5, i) - 0.309017) < 1e-4);
        QVERIFY(std::abs(map->data()->cell((i + 2) % 5, i) + 0.809017) < 1e-4);
    }
    QVERIFY(std::abs(plot.biasMap()->data()->cell(0, 4) - 0.3) < 1e-6);
    QVERIFY(std::abs(plot.biasMap()->data()->cell(1, 0) + 0.2) < 1e-6);
    // Feature 0 at the top left.
    QVERIFY(plot.gramRect()->axis(QCPAxis::atLeft)->rangeReversed());
    QVERIFY(plot.cellPixel(0, 0).y() < plot.cellPixel(4, 0).y());
    QVERIFY(plot.cellPixel(0, 0).x() < plot.cellPixel(0, 4).x());
    // Square heatmap, bias strip to its right at the same rows.
    QVERIFY(std::abs(plot.gramRect()->rect().width() - plot.gramRect()->rect().height()) <= 1);
    QVERIFY(plot.biasRect()->rect().left() > plot.gramRect()->rect().right());
    QVERIFY(std::abs(plot.biasPixel(3).y() - plot.cellPixel(3, 0).y()) < 1.0);
    QCOMPARE(plot.biasRect()->axis(QCPAxis::atBottom)->label(), QStringLiteral("b"));
    QVERIFY(plot.hoverText(plot.cellPixel(1, 3)).contains(QStringLiteral("i = 1, j = 3")));
    QVERIFY(plot.hoverText(plot.cellPixel(1, 3)).contains(QStringLiteral("-0.809")));
    QVERIFY(layoutInside(plot));

    // The image carries the colours: a diagonal cell is dark red, an anti-neighbour blue.
    const QImage image = drawn(plot);
    const QColor diagonal = image.pixelColor(plot.cellPixel(2, 2).toPoint());
    const QColor opposite = image.pixelColor(plot.cellPixel(2, 4).toPoint());
    QVERIFY(diagonal.red() > diagonal.blue() + 40);
    QVERIFY(opposite.blue() > opposite.red() + 40);
}

void TestSuperpositionPlots::gram_selectionAndClick()
{
    GramHeatmapPlot plot;
    plot.setMatrix(regularPolygon(5), Eigen::VectorXf::Zero(5));
    showAt(plot, QSize(800, 600));
    replotNow(plot);
    QSignalSpy clicked(&plot, &GramHeatmapPlot::featureClicked);
    click(plot, plot.cellPixel(3, 3));
    click(plot, plot.cellPixel(1, 4)); // row 1
    click(plot, plot.biasPixel(4));
    QCOMPARE(clicked.count(), 3);
    QCOMPARE(clicked.at(0).at(0).toInt(), 3);
    QCOMPARE(clicked.at(1).at(0).toInt(), 1);
    QCOMPARE(clicked.at(2).at(0).toInt(), 4);

    for (QCPItemRect* item : plot.selectionItems())
        QVERIFY(!item->visible());
    const QImage before = drawn(plot);
    plot.setSelectedFeature(2);
    for (QCPItemRect* item : plot.selectionItems())
        QVERIFY(item->visible());
    QCOMPARE(plot.selectionItems().at(0)->topLeft->coords().y(), 1.5);
    QVERIFY(drawn(plot) != before);
    plot.setSelectedFeature(-1);
    QVERIFY(!plot.selectionItems().at(0)->visible());
}

void TestSuperpositionPlots::gram_badInput()
{
    GramHeatmapPlot plot;
    showAt(plot, QSize(640, 480));
    Eigen::MatrixXf W = regularPolygon(5);
    W(1, 2) = kNaNf;
    plot.setMatrix(W, Eigen::VectorXf::Constant(2, kNaNf)); // short, NaN bias
    replotNow(plot);
    QVERIFY(std::isnan(plot.gramMap()->data()->cell(2, 0)));
    QVERIFY(std::isnan(plot.biasMap()->data()->cell(0, 4)));
    QVERIFY(!plot.hoverText(plot.cellPixel(2, 2)).isEmpty());
    plot.setMatrix(Eigen::MatrixXf(0, 0), Eigen::VectorXf());
    replotNow(plot);
    QCOMPARE(plot.featureCount(), 0);
    QVERIFY(plot.hoverText(QPointF(300, 200)).isEmpty());
    plot.setMatrix(Eigen::MatrixXf::Ones(1, 1), Eigen::VectorXf::Ones(1)); // single feature
    plot.setSelectedFeature(0);
    replotNow(plot);
    QCOMPARE(plot.gramMap()->data()->cell(0, 0), 1.0);
    const QImage large = drawn(plot, 1280, 720);
    QVERIFY(nonWhitePixels(large) > 1000);
    plot.setMatrix(randomMatrix(30, 400, 2), Eigen::VectorXf::Zero(400));
    replotNow(plot);
    QCOMPARE(plot.gramMap()->data()->keySize(), 400);
}

void TestSuperpositionPlots::normBars_values()
{
    NormBarsPlot plot;
    auto W = sweepWeights();
    W[3] *= 1.3f; // one instance with norms above 1.1 widens the shared range
    plot.setInstances(W, sweepTitles());
    showAt(plot, QSize(1000, 500));
    replotNow(plot);

    QCOMPARE(plot.instanceCount(), 4);
    QVERIFY(plot.plottableCount() >= 4);
    QVERIFY(std::abs(plot.normRangeUpper() - 1.05 * 1.3 * 1.03) < 1e-3);
    for (int k = 0; k < 4; ++k) {
        QCPAxis* x = plot.instanceRect(k)->axis(QCPAxis::atBottom);
        QCOMPARE(x->range().lower, 0.0);
        QCOMPARE(x->range().upper, plot.normRangeUpper());
        QVERIFY(plot.instanceRect(k)->axis(QCPAxis::atLeft)->rangeReversed()); // feature 0 at the top
    }
    // Equal inner widths although only the first panel carries the feature axis.
    QVERIFY(std::abs(plot.instanceRect(0)->rect().width() - plot.instanceRect(2)->rect().width()) <= 2);
    // Colours: the core's gated superposition value; dedicated features dark, pentagon features bright.
    const FeatureMeasures dense = computeFeatureMeasures(W[0]);
    QCOMPARE(plot.colourValue(0, 0), double(superpositionColourValue(dense.superposition[0], dense.norms[0])));
    QVERIFY(plot.colourValue(0, 0) < 0.05);
    QVERIFY(plot.colourValue(3, 0) > 0.9);
    QVERIFY(plot.colourValue(1, 4) < 0.1); // dropped: gated out
    QVERIFY(std::abs(plot.norm(3, 2) - 1.05 * 1.3) < 1e-4);
    QCOMPARE(plot.colorScale()->axis()->label(), QStringLiteral("superposition"));
    QVERIFY(layoutInside(plot));

    const QImage image = drawn(plot);
    const QColor dark = image.pixelColor(plot.barPixel(0, 0).toPoint());
    const QColor bright = image.pixelColor(plot.barPixel(3, 0).toPoint());
    QVERIFY(dark.lightnessF() < 0.3);
    QVERIFY(bright.lightnessF() > 0.5);
}

void TestSuperpositionPlots::normBars_selectionAndClick()
{
    NormBarsPlot plot;
    const auto W = sweepWeights();
    plot.setInstances(W, sweepTitles());
    showAt(plot, QSize(900, 500));
    replotNow(plot);
    QSignalSpy clicked(&plot, &NormBarsPlot::featureClicked);
    QSignalSpy barClicked(&plot, &NormBarsPlot::barClicked);
    QCPAxisRect* rect = plot.instanceRect(1);
    const QPointF bar(rect->axis(QCPAxis::atBottom)->coordToPixel(0.4), rect->axis(QCPAxis::atLeft)->coordToPixel(3));
    QCOMPARE(plot.barPixel(1, 3).y(), bar.y());
    click(plot, bar);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), 3);
    QCOMPARE(barClicked.count(), 1);
    QCOMPARE(barClicked.at(0).at(0).toInt(), 1); // the panel clicked, whatever instance a caller shows
    QCOMPARE(barClicked.at(0).at(1).toInt(), 3);
    QVERIFY(plot.hoverText(bar).contains(QStringLiteral("feature 3")));

    QVERIFY(!plot.selectionOutline(1)->visible());
    const QImage before = drawn(plot);
    plot.setSelectedFeature(3);
    QVERIFY(plot.selectionOutline(1)->visible());
    QCOMPARE(plot.selectionOutline(1)->bottomRight->coords().x(), plot.norm(1, 3));
    QVERIFY(drawn(plot) != before);
    plot.setSelectedFeature(-1);
    QVERIFY(!plot.selectionOutline(1)->visible());
}

// Column titles ("1−S = 0.0158") never run into their neighbours: on narrow columns they break after "=".
void TestSuperpositionPlots::normBars_titlesFitTheirColumns()
{
    for (const QSize size : {QSize(1400, 500), QSize(700, 400), QSize(480, 360)}) {
        NormBarsPlot plot;
        QStringList titles;
        for (int k = 0; k < 8; ++k)
            titles << QStringLiteral("1\u2212S = %1").arg(0.0158 * (k + 1), 0, 'g', 3);
        std::vector<Eigen::MatrixXf> W;
        for (int k = 0; k < 8; ++k)
            W.push_back(sweepWeights()[std::size_t(k % 4)]);
        plot.setInstances(W, titles);
        showAt(plot, size);
        replotNow(plot);
        int checked = 0;
        for (QCPLayoutElement* element : plot.plotLayout()->elements(true)) {
            auto* text = qobject_cast<QCPTextElement*>(element);
            if (!text || !text->property("fsFigureTextRole").toString().startsWith(QStringLiteral("Column")))
                continue;
            const QFontMetrics metrics(text->font());
            for (const QString& line : text->text().split(QLatin1Char('\n')))
                QVERIFY2(metrics.horizontalAdvance(line) <= text->outerRect().width(),
                         qPrintable(QStringLiteral("%1 at %2 px").arg(line).arg(size.width())));
            ++checked;
        }
        QCOMPARE(checked, 8);
    }
}

// The first twenty-four feature colours differ pairwise by CIE76 ΔE > 20 in the light theme and as the dark theme
// maps them (features 1/8 and 2/9 once shared a colour, 0/5 did in the dark theme, and beyond sixteen the
// golden-angle hues came within ΔE 11 of the fixed colours).
void TestSuperpositionPlots::featureColoursStayDistinct()
{
    auto lab = [](const QColor& c) {
        auto lin = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        const double r = lin(c.redF()), g = lin(c.greenF()), b = lin(c.blueF());
        const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b,
                     z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116.0; };
        return std::array<double, 3>{116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
    };
    auto deltaE = [&](const QColor& a, const QColor& b) {
        const auto p = lab(a), q = lab(b);
        return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
    };
    for (Theme::Id theme : {Theme::Id::Light, Theme::Id::Dark}) {
        QCustomPlot plot;
        constexpr int kDistinct = 24;
        for (int i = 0; i < kDistinct; ++i)
            plot.addGraph()->setPen(QPen(FeaturePalette::featureColor(i), 2.0));
        Theme::applyToPlot(&plot, theme);
        for (int i = 0; i < kDistinct; ++i)
            for (int j = i + 1; j < kDistinct; ++j) {
                const double d = deltaE(plot.graph(i)->pen().color(), plot.graph(j)->pen().color());
                QVERIFY2(d > 20.0, qPrintable(QStringLiteral("%1: features %2 and %3 are only ΔE %4 apart")
                                                  .arg(Theme::name(theme)).arg(i).arg(j).arg(d, 0, 'f', 1)));
            }
        // For a look: neuron bars of all of them, one feature per bar segment.
        if (const QString dir = qEnvironmentVariable("FEATURESCOPE_PLOT_PNG_DIR"); !dir.isEmpty()) {
            NeuronBarsPlot bars;
            bars.setWeights(Eigen::MatrixXf::Constant(4, kDistinct, 0.25f));
            Theme::applyToPlot(&bars, theme);
            QVERIFY(bars.savePng(dir + QStringLiteral("/palette_%1.png").arg(Theme::name(theme)), 900, 600));
        }
    }
}

void TestSuperpositionPlots::normBars_badInput()
{
    NormBarsPlot plot;
    showAt(plot, QSize(640, 480));
    plot.setInstances({}, {});
    replotNow(plot);
    Eigen::MatrixXf W = regularPolygon(5);
    W(0, 0) = kNaNf;
    plot.setInstances({W, Eigen::MatrixXf(2, 0), randomMatrix(30, 400, 3)}, {QStringLiteral("NaN")});
    plot.setSelectedFeature(399);
    replotNow(plot);
    QCOMPARE(plot.instanceCount(), 3);
    QVERIFY(std::isfinite(plot.norm(0, 0)));
    QVERIFY(std::isnan(plot.norm(1, 0)));
    QVERIFY(plot.normRangeUpper() >= 1.1);
    QVERIFY(nonWhitePixels(drawn(plot)) > 1000);
}

void TestSuperpositionPlots::sticky_values()
{
    StickyFractionPlot plot;
    const StickyData data = stickyData();
    plot.setData(data.inverseDensity, data.dimensionsPerFeature, data.featureDimensionality);
    showAt(plot, QSize(900, 600));
    replotNow(plot);

    QCOMPARE(plot.dimensionsGraph()->dataCount(), 14);
    int dots = 0;
    for (const auto& d : data.featureDimensionality)
        dots += int(d.size());
    QCOMPARE(plot.dotCount(), dots);
    QCOMPARE(plot.dotsGraph()->dataCount(), dots);
    QCOMPARE(plot.xAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(plot.xAxis->range().lower < 1.0 && plot.xAxis->range().upper > 100.0);
    QCOMPARE(plot.yAxis->range(), QCPRange(0.0, 1.1));
    QVERIFY(plot.xAxis->label().startsWith(QStringLiteral("1/(1\u2212S)")));
    QCOMPARE(plot.yAxis->label(), QStringLiteral("dimensions per feature"));
    QCOMPARE(StickyFractionPlot::referenceFractions().size(), 6);
    // Every reference fraction is labelled.
    QStringList labels;
    for (int i = 0; i < plot.itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(plot.item(i)))
            labels << text->text();
    for (const char* fraction : {"1", "3/4", "2/3", "1/2", "2/5", "3/8"})
        QVERIFY(labels.contains(QString::fromLatin1(fraction)));
    // Jitter is deterministic and small: a dot stays within 0.05 decades of its instance.
    const QPointF first = plot.dotPixel(5, 0);
    StickyFractionPlot again;
    again.setData(data.inverseDensity, data.dimensionsPerFeature, data.featureDimensionality);
    showAt(again, QSize(900, 600));
    replotNow(again);
    QCOMPARE(again.dotPixel(5, 0), first);
    const double decades = std::abs(std::log10(plot.xAxis->pixelToCoord(first.x()) / data.inverseDensity[5]));
    QVERIFY(decades <= 0.05 + 1e-9);
    QVERIFY(layoutInside(plot));
}

void TestSuperpositionPlots::sticky_selectionAndClick()
{
    StickyFractionPlot plot;
    std::vector<std::vector<float>> d = {{1.0f}, {0.5f, 0.5f}, {0.4f, 0.4f, 0.4f, 0.4f, 0.4f}};
    plot.setData({1.0, 10.0, 100.0}, {1.0, 0.5, 0.4}, d);
    plot.setFeatureIndices({{0}, {0, 1}, {0, 1, 2, 3, 4}});
    showAt(plot, QSize(800, 600));
    replotNow(plot);
    QSignalSpy clicked(&plot, &StickyFractionPlot::featureClicked);
    // Dot 3 of instance 2 (feature 3) - from the axes, with the jitter undone by reading the dot's own pixel.
    const QPointF dot = plot.dotPixel(2, 3);
    QVERIFY(std::abs(dot.y() - plot.yAxis->coordToPixel(0.4)) < 0.5);
    QVERIFY(std::abs(plot.xAxis->pixelToCoord(dot.x()) / 100.0 - 1.0) < 0.13);
    // The five pentagon dots overlap; whichever is hit, it is one of them - unless it is the D* point, which
    // sits at the same place: move 0 px; the D* marker is not a feature, so the dot wins.
    click(plot, dot);
    QCOMPARE(clicked.count(), 1);
    const int feature = clicked.at(0).at(0).toInt();
    QVERIFY(feature >= 0 && feature <= 4);
    // The dense instance's single dot at D = 1 is feature 0.
    click(plot, plot.dotPixel(0, 0));
    QCOMPARE(clicked.count(), 2);
    QCOMPARE(clicked.at(1).at(0).toInt(), 0);

    QCOMPARE(plot.selectedDotsGraph()->dataCount(), 0);
    const QImage before = drawn(plot);
    plot.setSelectedFeature(1);
    QCOMPARE(plot.selectedDotsGraph()->dataCount(), 2); // feature 1 in instances 1 and 2
    QVERIFY(drawn(plot) != before);
    plot.setSelectedFeature(-1);
    QCOMPARE(plot.selectedDotsGraph()->dataCount(), 0);
}

void TestSuperpositionPlots::sticky_badInput()
{
    StickyFractionPlot plot;
    showAt(plot, QSize(640, 480));
    plot.setData({}, {}, {});
    replotNow(plot);
    const double nan = std::nan("");
    plot.setData({nan, -1.0, 0.0, 5.0}, {0.5, nan}, {{0.5f}, {kNaNf}, {}, {kNaNf, 0.4f}, {0.1f}});
    replotNow(plot);
    QCOMPARE(plot.dimensionsGraph()->dataCount(), 0); // 5.0 has no D*
    QCOMPARE(plot.dotCount(), 1);                     // only instance 3's finite dot
    plot.setFeatureIndices({{}, {}, {}, {7}});
    plot.setSelectedFeature(7);
    QCOMPARE(plot.selectedDotsGraph()->dataCount(), 0); // index list too short for the finite dot at index 1
    plot.setSelectedFeature(1);
    QCOMPARE(plot.selectedDotsGraph()->dataCount(), 1);
    QVERIFY(nonWhitePixels(drawn(plot)) > 100);
}

void TestSuperpositionPlots::loss_decimationKeepsSpikes()
{
    std::vector<float> values(100000, 0.01f);
    values[54321] = 5.0f;
    values[77777] = 1e-5f;
    values[100] = kNaNf;
    QVector<double> keys, out;
    LossCurvePlot::decimate(values, LossCurvePlot::kMaxPoints, 1.0, keys, out);
    QVERIFY(out.size() <= LossCurvePlot::kMaxPoints);
    QCOMPARE(keys.size(), out.size());
    QVERIFY(out.contains(5.0));
    QVERIFY(out.contains(double(1e-5f)));
    QVERIFY(keys.contains(54321.0));
    QVERIFY(std::is_sorted(keys.begin(), keys.end()));
    // Short histories are kept whole; invalid samples become one gap each.
    std::vector<float> shortValues = {1.0f, 0.5f, -1.0f, 0.0f, 0.25f};
    LossCurvePlot::decimate(shortValues, LossCurvePlot::kMaxPoints, 10.0, keys, out);
    QCOMPARE(out.size(), 4);
    QVERIFY(std::isnan(out[2]));
    QCOMPARE(keys[3], 40.0);
}

void TestSuperpositionPlots::loss_curvesAndClick()
{
    LossCurvePlot plot;
    const auto loss = lossHistories(6, 10000);
    QStringList labels;
    for (int k = 0; k < 6; ++k)
        labels << QStringLiteral("S = %1").arg(1.0 - std::pow(20.0, -k / 5.0), 0, 'f', 2);
    plot.setHistories(loss, labels);
    showAt(plot, QSize(900, 600));
    replotNow(plot);
    QCOMPARE(plot.curveCount(), 6);
    for (int k = 0; k < 6; ++k) {
        QVERIFY(plot.curve(k)->dataCount() <= LossCurvePlot::kMaxPoints);
        QVERIFY(plot.curve(k)->dataCount() > 1000);
    }
    QCOMPARE(plot.yAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(plot.yAxis->range().upper >= 0.5); // the spike is in range
    QCOMPARE(plot.legend->itemCount(), 6);
    // The legend sits outside the axes.
    QVERIFY(!plot.legend->outerRect().intersects(plot.axisRect()->rect()));
    QVERIFY(plot.curve(0)->pen().color() != plot.curve(5)->pen().color());
    QVERIFY(layoutInside(plot));

    // A click on curve 5 at its plateau.
    QSignalSpy clicked(&plot, &LossCurvePlot::instanceClicked);
    const double step = 9000;
    const QPointF onCurve(plot.xAxis->coordToPixel(step), plot.yAxis->coordToPixel(loss[5][9000]));
    click(plot, onCurve);
    QCOMPARE(clicked.count(), 1);
    QCOMPARE(clicked.at(0).at(0).toInt(), 5);
    QVERIFY(plot.hoverText(onCurve).contains(labels[5]));

    const double width = plot.curve(2)->pen().widthF();
    plot.setSelectedInstance(2);
    QVERIFY(plot.curve(2)->pen().widthF() > width);
    QVERIFY(plot.curve(1)->pen().color().alpha() < 255);
    plot.setSelectedFeature(3); // documented no-op: no crash, state kept
    QCOMPARE(plot.selectedFeature(), 3);

    // Many instances: the legend is thinned.
    plot.setHistories(lossHistories(30, 500), {});
    replotNow(plot);
    QVERIFY(plot.legend->itemCount() <= LossCurvePlot::kMaxLegendEntries);
    QVERIFY(plot.legend->itemCount() >= 2);
}

void TestSuperpositionPlots::loss_badInput()
{
    LossCurvePlot plot;
    showAt(plot, QSize(640, 480));
    plot.setHistories({}, {});
    replotNow(plot);
    plot.setHistories({{}, {kNaNf, kNaNf}, {0.0f, -1.0f}, {1.0f}}, {QStringLiteral("only one label")});
    replotNow(plot);
    QCOMPARE(plot.curveCount(), 4);
    QVERIFY(plot.yAxis->range().lower > 0);
    plot.setSelectedInstance(7);
    replotNow(plot);
    QVERIFY(plot.hoverText(QPointF(10, 10)).isEmpty());
}

void TestSuperpositionPlots::neuronBars_stacking()
{
    NeuronBarsPlot plot;
    const Eigen::MatrixXf W = neuronWeights();
    plot.setWeights(W);
    showAt(plot, QSize(900, 600));
    replotNow(plot);
    QCOMPARE(plot.neuronCount(), 5);
    QCOMPARE(plot.featureCount(), 8);
    QCOMPARE(plot.plottableCount(), 8);
    QVERIFY(plot.legend->visible());
    QCOMPARE(plot.legend->itemCount(), 8);
    // Neuron 3: +0.8 (f3) then +0.7 (f4) upward, -0.4 (f5) downward; neuron 4: f3 -0.25 then f7 -0.3 further down.
    QCOMPARE(plot.segment(3, 3).lower, 0.0);
    QVERIFY(std::abs(plot.segment(3, 4).lower - 0.8) < 1e-6);
    QVERIFY(std::abs(plot.segment(3, 4).upper - 1.5) < 1e-6);
    QCOMPARE(plot.segment(3, 5).lower, 0.0);
    QVERIFY(std::abs(plot.segment(4, 7).lower + 0.25) < 1e-6);
    QVERIFY(std::abs(plot.segment(4, 7).upper + 0.55) < 1e-6);
    QVERIFY(plot.yAxis->range().upper > 1.5 && plot.yAxis->range().lower < -0.55);
    // QCustomPlot stacks the same way: the drawn segment of f4 on neuron 3 is coloured f4 at its centre.
    const QImage image = drawn(plot);
    const QColor drawn = image.pixelColor(plot.segmentPixel(3, 4).toPoint());
    const QColor expected = FeaturePalette::featureColor(4);
    QVERIFY(std::abs(drawn.red() - expected.red()) < 12 && std::abs(drawn.green() - expected.green()) < 12);
    const QColor below = image.pixelColor(plot.segmentPixel(4, 7).toPoint());
    QVERIFY(std::abs(below.red() - FeaturePalette::featureColor(7).red()) < 12);
    QVERIFY(layoutInside(plot));

    plot.setWeights(randomMatrix(6, 20, 4));
    replotNow(plot);
    QVERIFY(!plot.legend->visible());
}

void TestSuperpositionPlots::neuronBars_selectionAndClick()
{
    NeuronBarsPlot plot;
    plot.setWeights(neuronWeights());
    showAt(plot, QSize(800, 600));
    replotNow(plot);
    QSignalSpy clicked(&plot, &NeuronBarsPlot::featureClicked);
    const QPointF segment(plot.xAxis->coordToPixel(3.0), plot.yAxis->coordToPixel(1.15)); // inside f4 on neuron 3
    click(plot, segment);
    click(plot, QPointF(plot.xAxis->coordToPixel(4.1), plot.yAxis->coordToPixel(-0.4))); // f7 on neuron 4
    QCOMPARE(clicked.count(), 2);
    QCOMPARE(clicked.at(0).at(0).toInt(), 4);
    QCOMPARE(clicked.at(1).at(0).toInt(), 7);
    QVERIFY(plot.hoverText(segment).contains(QStringLiteral("W = 0.7")));
    QSignalSpy background(&plot, &NeuronBarsPlot::backgroundClicked);
    click(plot, QPointF(plot.xAxis->coordToPixel(3.5), plot.yAxis->coordToPixel(0.3))); // between bars
    QCOMPARE(background.count(), 1);

    const QImage before = drawn(plot);
    plot.setSelectedFeature(4);
    QCOMPARE(plot.featureBars(4)->pen().color(), FeaturePalette::selectionColor());
    QVERIFY(plot.featureBars(3)->brush().color().alpha() < 255);
    QVERIFY(drawn(plot) != before);
    plot.setSelectedFeature(-1);
    QCOMPARE(plot.featureBars(3)->brush().color().alpha(), 255);
}

void TestSuperpositionPlots::neuronBars_badInput()
{
    NeuronBarsPlot plot;
    showAt(plot, QSize(640, 480));
    plot.setWeights(Eigen::MatrixXf(0, 0));
    replotNow(plot);
    Eigen::MatrixXf W = neuronWeights();
    W(0, 0) = kNaNf;
    W(1, 1) = -std::numeric_limits<float>::infinity();
    plot.setWeights(W);
    plot.setSelectedFeature(0);
    replotNow(plot);
    QCOMPARE(plot.segment(0, 0).upper, 0.0);
    QVERIFY(std::isfinite(plot.yAxis->range().upper));
    plot.setWeights(randomMatrix(30, 400, 5));
    replotNow(plot);
    QCOMPARE(plot.plottableCount(), 400);
}

void TestSuperpositionPlots::phase_cells()
{
    PhaseDiagramPlot plot;
    const PhaseData data = phaseData();
    plot.setGrid(data.x, data.y, data.cells, data.boundaries);
    showAt(plot, QSize(900, 600));
    replotNow(plot);
    QCOMPARE(plot.colorMap()->data()->keySize(), 25);
    QCOMPARE(plot.colorMap()->data()->valueSize(), 20);
    QVERIFY(!plot.colorMap()->interpolate());
    int counts[3] = {0, 0, 0};
    for (int r = 0; r < 20; ++r)
        for (int c = 0; c < 25; ++c) {
            QCOMPARE(plot.mapValue(c, r), double(data.cells[std::size_t(r * 25 + c)]));
            ++counts[data.cells[std::size_t(r * 25 + c)]];
        }
    QVERIFY(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
    QCOMPARE(plot.boundaryCount(), 2);
    QCOMPARE(plot.xAxis->scaleType(), QCPAxis::stLogarithmic);
    QCOMPARE(plot.yAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(plot.xAxis->range().lower < 0.1 && plot.xAxis->range().upper > 10);
    QVERIFY(plot.yAxis->range().lower < 0.01 && plot.yAxis->range().upper > 1);
    QCOMPARE(plot.xAxis->label(), QStringLiteral("relative importance of the extra feature"));
    QCOMPARE(plot.yAxis->label(), QStringLiteral("feature density 1\u2212S"));
    QVERIFY(plot.legend->visible());
    QVERIFY(plot.legend->itemCount() >= 4);
    QVERIFY(layoutInside(plot));

    // Drawn colours match the categories (density 1 is the top row: y grows upward).
    const QImage image = drawn(plot);
    for (int r : {0, 10, 19})
        for (int c : {0, 12, 24}) {
            const QColor drawn = image.pixelColor(plot.cellPixel(c, r).toPoint());
            const QColor expected = PhaseDiagramPlot::cellColor(plot.cellAt(c, r));
            // Cells under a boundary line are dark; skip those.
            if (drawn.lightness() < 60)
                continue;
            QVERIFY2(std::abs(drawn.red() - expected.red()) < 10 && std::abs(drawn.blue() - expected.blue()) < 10,
                     qPrintable(QStringLiteral("cell %1,%2").arg(c).arg(r)));
        }
    QVERIFY(plot.cellPixel(0, 0).y() < plot.cellPixel(0, 19).y());
}

void TestSuperpositionPlots::phase_clickAndBadInput()
{
    PhaseDiagramPlot plot;
    const PhaseData data = phaseData(5, 4);
    plot.setGrid(data.x, data.y, data.cells, data.boundaries);
    showAt(plot, QSize(800, 600));
    replotNow(plot);
    QSignalSpy cells(&plot, &PhaseDiagramPlot::cellClicked);
    QSignalSpy features(&plot, &PhaseDiagramPlot::featureClicked);
    click(plot, plot.cellPixel(3, 1) + QPointF(4, -4));
    QCOMPARE(cells.count(), 1);
    QCOMPARE(cells.at(0).at(0).toInt(), 3);
    QCOMPARE(cells.at(0).at(1).toInt(), 1);
    QCOMPARE(features.count(), 0);
    QVERIFY(plot.hoverText(plot.cellPixel(3, 1)).contains(QStringLiteral("relative importance")));
    const QImage before = drawn(plot);
    plot.setSelectedCell(3, 1);
    QVERIFY(drawn(plot) != before);

    const double nan = std::nan("");
    plot.setGrid({0.1, nan, 10}, {1, 0.1}, {0, 1, 2, 0, 1, 2}, {{QPointF(nan, 1), QPointF(-1, 0.5)}});
    replotNow(plot);
    QVERIFY(!plot.colorMap()->visible());
    QCOMPARE(plot.boundaryCount(), 0);
    plot.setGrid({0.1, 1, 10}, {1, 0.1}, {0, 7}, {}); // cells too short, unknown category
    replotNow(plot);
    QVERIFY(std::isnan(plot.mapValue(1, 0)));
    QVERIFY(std::isnan(plot.mapValue(2, 1)));
    QCOMPARE(plot.mapValue(0, 0), 0.0);
    plot.setGrid({1.0}, {0.5}, {2}, {});
    replotNow(plot);
    QCOMPARE(plot.mapValue(0, 0), 2.0);
    {
        // A grid whose values are all equal collapses each axis to one cell: no index may fall outside the map
        // (QCustomPlot warns "setCell index out of bounds" for every cell that does).
        static int outOfBounds = 0;
        outOfBounds = 0;
        const QtMessageHandler previous = qInstallMessageHandler([](QtMsgType, const QMessageLogContext&, const QString& text) {
            if (text.contains(QLatin1String("out of bounds")))
                ++outOfBounds;
        });
        plot.setGrid(std::vector<double>(64, 0.3), std::vector<double>(64, 0.02), std::vector<int>(64 * 64, 1), {});
        replotNow(plot);
        qInstallMessageHandler(previous);
        QCOMPARE(outOfBounds, 0);
        QCOMPARE(plot.mapValue(0, 0), 1.0);
    }
    plot.clear();
    replotNow(plot);
}

void TestSuperpositionPlots::render_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("640x480") << QSize(640, 480);
    QTest::newRow("1280x720") << QSize(1280, 720);
}

void TestSuperpositionPlots::render()
{
    QFETCH(QSize, size);
    const QString dir = qEnvironmentVariable("FEATURESCOPE_PLOT_PNG_DIR");
    if (!dir.isEmpty())
        QDir().mkpath(dir);
    const QString suffix = QStringLiteral("_%1x%2.png").arg(size.width()).arg(size.height());

    const auto sweep = sweepWeights();
    const std::vector<Eigen::MatrixXf> projected = {regularTetrahedron(), randomMatrix(30, 400, 1)};
    const StickyData sticky = stickyData();
    const PhaseData phase = phaseData();
    QStringList lossLabels;
    for (int k = 0; k < 6; ++k)
        lossLabels << QStringLiteral("1\u2212S = %1").arg(std::pow(20.0, -k / 5.0), 0, 'g', 2);

    auto arrows = std::make_unique<FeatureArrowsPlot>();
    arrows->setInstances(sweep, sweepTitles(), geometryOf(sweep));
    arrows->setSelectedFeature(2);
    auto arrowsPca = std::make_unique<FeatureArrowsPlot>();
    arrowsPca->setInstances(projected, {QStringLiteral("m = 3, n = 4"), QStringLiteral("m = 30, n = 400 (random)")},
                            geometryOf(projected));
    auto gram = std::make_unique<GramHeatmapPlot>();
    Eigen::VectorXf b(5);
    b << -0.08f, -0.08f, -0.07f, -0.09f, -0.08f;
    gram->setMatrix(regularPolygon(5, 1.05f), b);
    gram->setSelectedFeature(1);
    auto gramLarge = std::make_unique<GramHeatmapPlot>();
    gramLarge->setMatrix(randomMatrix(5, 20, 9), Eigen::VectorXf::LinSpaced(20, -0.5f, 0.5f));
    auto norms = std::make_unique<NormBarsPlot>();
    norms->setInstances(sweep, sweepTitles());
    norms->setSelectedFeature(4);
    auto normsMany = std::make_unique<NormBarsPlot>();
    std::vector<Eigen::MatrixXf> many;
    QStringList manyTitles;
    for (int k = 0; k < 8; ++k) {
        Eigen::MatrixXf w = randomMatrix(5, 20, 20 + k);
        for (int i = 0; i < 20; ++i)
            w.col(i) *= float(std::max(0.0, 1.3 - (0.25 - 0.02 * k) * i)) / std::max(1e-3f, w.col(i).norm());
        many.push_back(w);
        manyTitles << QStringLiteral("S=%1").arg(1.0 - std::pow(20.0, -k / 7.0), 0, 'f', 2);
    }
    normsMany->setInstances(many, manyTitles);
    auto stickyPlot = std::make_unique<StickyFractionPlot>();
    stickyPlot->setData(sticky.inverseDensity, sticky.dimensionsPerFeature, sticky.featureDimensionality);
    stickyPlot->setSelectedFeature(3);
    auto loss = std::make_unique<LossCurvePlot>();
    loss->setHistories(lossHistories(6, 10000), lossLabels);
    auto neurons = std::make_unique<NeuronBarsPlot>();
    neurons->setWeights(neuronWeights());
    neurons->setSelectedFeature(5);
    auto phasePlot = std::make_unique<PhaseDiagramPlot>();
    phasePlot->setGrid(phase.x, phase.y, phase.cells, phase.boundaries);

    const std::vector<std::pair<QString, QCustomPlot*>> plots = {
        {QStringLiteral("arrows"), arrows.get()},        {QStringLiteral("arrows_pca"), arrowsPca.get()},
        {QStringLiteral("gram"), gram.get()},            {QStringLiteral("gram_20"), gramLarge.get()},
        {QStringLiteral("norms"), norms.get()},          {QStringLiteral("norms_8"), normsMany.get()},
        {QStringLiteral("sticky"), stickyPlot.get()},    {QStringLiteral("loss"), loss.get()},
        {QStringLiteral("neurons"), neurons.get()},      {QStringLiteral("phase"), phasePlot.get()},
    };
    for (const auto& [name, plot] : plots) {
        showAt(*plot, size);
        replotNow(*plot);
        QVERIFY2(layoutInside(*plot), qPrintable(name));
        const QImage image = drawn(*plot);
        QCOMPARE(image.size(), size);
        QVERIFY2(nonWhitePixels(image) > 2000, qPrintable(name));
        if (!dir.isEmpty())
            QVERIFY(plot->savePng(dir + QLatin1Char('/') + name + suffix, size.width(), size.height()));
    }
}

QTEST_MAIN(TestSuperpositionPlots)
#include "tst_superposition_plots.moc"

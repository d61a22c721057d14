// Views that stay readable for m > 2 and large n: the feature-dimensionality glyphs (every feature of every instance
// in one figure, by geometry), the arrows' merged labels and faint end-on arrows, the phase diagram's certainty as
// cell opacity, the panel opening on the glyphs for hundreds of features, the "loss still falling" note, sessions
// naming the tab by id, and every figure having a human title.
// Set FEATURESCOPE_PLOT_PNG_DIR to also write the glyph figure for a look.

#include "common/FigureTitles.h"
#include "common/Theme.h"
#include "panels/EnergyBoundPanel.h"
#include "panels/superposition/SuperpositionPanel.h"
#include "panels/superposition/ToyControlsWidget.h"
#include "panels/superposition/ToyRunSummary.h"
#include "plots/FeatureArrowsPlot.h"
#include "plots/FeatureDimensionalityPlot.h"
#include "plots/NormBarsPlot.h"
#include "plots/PhaseDiagramPlot.h"
#include "session/PanelState.h"

#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"

#include "core/KnownGeometries.h"
#include "PlotTestHelpers.h"

#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>

#include <cmath>
#include <random>

using namespace featurescope;

namespace {

// Instance 0: two dedicated features (0, 1) and a dropped one (2); instance 1: a pentagon; instance 2: a tetrahedron.
struct GlyphData {
    std::vector<FeatureMeasures> measures;
    std::vector<std::vector<GeometryComponent>> geometry;
};
GlyphData glyphData()
{
    Eigen::MatrixXf dense = Eigen::MatrixXf::Zero(2, 5);
    dense(0, 0) = 1.0f;
    dense(1, 1) = 0.8f;
    dense(0, 2) = 0.02f;
    const std::vector<Eigen::MatrixXf> W = {dense, regularPolygon(5, 1.05f), regularTetrahedron()};
    GlyphData data;
    for (const auto& w : W) {
        data.measures.push_back(computeFeatureMeasures(w));
        data.geometry.push_back(findFeatureGeometry(w));
    }
    return data;
}

void showGlyphs(FeatureDimensionalityPlot& plot)
{
    const GlyphData data = glyphData();
    plot.setInstances(data.measures, data.geometry, {QStringLiteral("1"), QStringLiteral("0.1"), QStringLiteral("0.01")});
    showAt(plot, QSize(900, 500));
    plot.replot(QCustomPlot::rpImmediateRefresh);
}

QStringList values(const QCPGraph* graph, bool keys)
{
    QStringList out;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        out << QString::number(keys ? it->key : it->value, 'f', 3);
    return out;
}

SuperpositionPanel* quickPanel(int features, int hidden, int steps = 30)
{
    auto* panel = new SuperpositionPanel;
    PanelState state;
    panel->saveState(state);
    auto& controls = state.settings["controls"];
    controls["features"] = features;
    controls["hidden"] = hidden;
    controls["instances"] = 2;
    controls["steps"] = steps;
    controls["batch"] = 64;
    controls["threads"] = 1;
    panel->restoreState(state);
    return panel;
}

QTabWidget* viewTabs(SuperpositionPanel& panel)
{
    for (QTabWidget* tabs : panel.findChildren<QTabWidget*>())
        if (tabs->count() > 5)
            return tabs;
    return nullptr;
}

} // namespace

class TestGeometryViews : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void glyphs_byGeometryAtTheirFractions()
    {
        FeatureDimensionalityPlot plot;
        showGlyphs(plot);
        QCOMPARE(plot.pointCount(), 5 + 5 + 4);
        QCOMPARE(plot.glyphGraph(QStringLiteral("dedicated"))->data()->size(), 2);
        QCOMPARE(plot.glyphGraph(QStringLiteral("pentagon"))->data()->size(), 5);
        QCOMPARE(plot.glyphGraph(QStringLiteral("tetrahedron"))->data()->size(), 4);
        for (const QString& d : values(plot.glyphGraph(QStringLiteral("pentagon")), false))
            QCOMPARE(d, QStringLiteral("0.400"));
        for (const QString& d : values(plot.glyphGraph(QStringLiteral("tetrahedron")), false))
            QCOMPARE(d, QStringLiteral("0.750"));
        // Not learned: at D = 0, in the first strip, left of every learned glyph (their norm is small).
        const QCPGraph* dropped = plot.glyphGraph(QStringLiteral("not learned"));
        QCOMPARE(dropped->data()->size(), 3);
        for (const QString& d : values(dropped, false))
            QCOMPARE(d, QStringLiteral("0.000"));
        // Within a strip x grows with the norm: feature 0 (norm 1) right of feature 1 (norm 0.8); strips stay apart.
        QVERIFY(plot.glyphCoordinates(0, 0).x() > plot.glyphCoordinates(0, 1).x());
        QVERIFY(std::abs(plot.glyphCoordinates(1, 0).x() - 1.0) < 0.5);
        QVERIFY(std::abs(plot.glyphCoordinates(2, 3).x() - 2.0) < 0.5);
        // The legend names the kinds drawn, and only those.
        QStringList legendNames;
        for (int i = 0; i < plot.legend->itemCount(); ++i)
            if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot.legend->item(i)))
                legendNames << item->plottable()->name();
        QCOMPARE(legendNames, (QStringList{QStringLiteral("dedicated (1)"), QStringLiteral("tetrahedron (3/4)"),
                                           QStringLiteral("pentagon (2/5)"), QStringLiteral("not learned (drawn at 0)")}));
        const QVector<double> fractions = FeatureDimensionalityPlot::referenceFractions();
        for (double f : {1.0, 0.75, 2.0 / 3.0, 0.5, 0.4, 0.375, 1.0 / 3.0})
            QVERIFY(fractions.contains(f));
        QCOMPARE(FeatureDimensionalityPlot::glyphKind("7-gon"), QStringLiteral("other"));
        if (qEnvironmentVariableIsSet("FEATURESCOPE_PLOT_PNG_DIR"))
            plot.savePng(QDir(qEnvironmentVariable("FEATURESCOPE_PLOT_PNG_DIR")).filePath(QStringLiteral("glyphs.png")));
    }

    void glyphs_coincidentListedClickAndSelection()
    {
        FeatureDimensionalityPlot plot;
        showGlyphs(plot);
        // The pentagon's five glyphs sit on one spot: the hover text lists all of them.
        const QPointF spot = plot.glyphPixel(1, 0);
        const QString text = plot.hoverText(spot);
        QVERIFY2(text.startsWith(QStringLiteral("5 features here")) && text.contains(QStringLiteral("0, 1, 2, 3, 4")) &&
                     text.contains(QStringLiteral("pentagon")),
                 qPrintable(text));
        QVERIFY(plot.hoverText(plot.glyphPixel(0, 1)).startsWith(QStringLiteral("feature 1 ")));
        QSignalSpy clicked(&plot, &FeatureDimensionalityPlot::featureClicked);
        QTest::mouseClick(&plot, Qt::LeftButton, Qt::NoModifier, plot.glyphPixel(0, 1).toPoint());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.front().at(0).toInt(), 0);
        QCOMPARE(clicked.front().at(1).toInt(), 1);
        // The selection is ringed in every strip that has the feature.
        plot.setSelectedFeature(2);
        QCOMPARE(plot.selectionGraph()->data()->size(), 3);
        plot.setSelectedFeature(4);
        QCOMPARE(plot.selectionGraph()->data()->size(), 2); // the tetrahedron has no feature 4
        plot.clear();
        QCOMPARE(plot.pointCount(), 0);
    }

    void glyphs_hundredsOfFeaturesTranslucent()
    {
        std::vector<FeatureMeasures> measures;
        std::vector<std::vector<GeometryComponent>> geometry;
        for (unsigned seed = 1; seed <= 3; ++seed) {
            const Eigen::MatrixXf W = randomMatrix(30, 400, seed);
            measures.push_back(computeFeatureMeasures(W));
            geometry.push_back(findFeatureGeometry(W));
        }
        FeatureDimensionalityPlot plot;
        plot.setInstances(measures, geometry, {QStringLiteral("0.1"), QStringLiteral("0.03"), QStringLiteral("0.01")});
        showAt(plot, QSize(800, 450));
        QCOMPARE(plot.pointCount(), 1200);
        const QCPGraph* other = plot.glyphGraph(QStringLiteral("other"));
        QVERIFY(!other->data()->isEmpty());
        QVERIFY(other->scatterStyle().pen().color().alpha() < 255); // a density, not a wall of ink
        QCOMPARE(int(plot.rows().size()), 1200);
    }

    void arrows_overlappingLabelsMergedEndOnFaint()
    {
        // m = 3: features 0 and 1 point almost the same way in the drawn plane, 2 and 3 are a digon along the
        // second axis, and 4 points along the third axis: seen end-on in the projection.
        Eigen::MatrixXf W(3, 5);
        W << 1.0f, 0.99f, 0.0f, 0.0f, 0.0f,
             0.0f, 0.05f, 1.0f, -1.0f, 0.1f,
             0.0f, 0.0f, 0.0f, 0.0f, 0.9f;
        FeatureArrowsPlot plot;
        plot.setInstances({W}, {QStringLiteral("m = 3")}, {findFeatureGeometry(W)});
        showAt(plot, QSize(500, 500));
        plot.replot(QCustomPlot::rpImmediateRefresh);
        QVERIFY(plot.isProjected());
        // One label for the pair, on the longer arrow; the other's own label is hidden.
        QCPItemText* lead = plot.labelItem(0, 0);
        QVERIFY(lead && lead->visible());
        QCOMPARE(lead->text(), QStringLiteral("0,1"));
        QVERIFY(!plot.labelItem(0, 1)->visible());
        QCOMPARE(plot.labelItem(0, 2)->text(), QStringLiteral("2"));
        QVERIFY(plot.labelItem(0, 2)->visible());
        // The end-on feature: no label, a faint thin shaft; its hover text says why.
        QVERIFY(!plot.labelItem(0, 4)->visible());
        QVERIFY(plot.arrowItem(0, 4)->pen().color().alpha() <= 90);
        const QString endOn = plot.hoverText(plot.tipPixel(0, 4));
        QVERIFY2(endOn.contains(QStringLiteral("end-on")), qPrintable(endOn));
        const QString pair = plot.hoverText(plot.tipPixel(0, 0));
        QVERIFY2(pair.contains(QStringLiteral("2 features drawn here: 0, 1")), qPrintable(pair));
        // Selecting a merged feature shows its own number.
        plot.setSelectedFeature(1);
        QVERIFY(plot.labelItem(0, 1)->visible());
        QCOMPARE(plot.labelItem(0, 1)->text(), QStringLiteral("1"));
    }

    void phase_certaintyAsOpacity()
    {
        PhaseDiagramPlot plot;
        const std::vector<double> x{0.1, 1.0, 10.0}, y{1.0, 0.1, 0.01};
        plot.setGrid(x, y, std::vector<int>(9, PhaseDiagramPlot::Superposition), {});
        std::vector<float> certainty(9, 1.0f);
        certainty[1] = 0.5f;
        certainty[5] = 0.25f;
        plot.setCertainty(certainty, 4);
        showAt(plot, QSize(700, 500));
        plot.replot(QCustomPlot::rpImmediateRefresh);
        QCOMPARE(plot.cellOpacity(0, 0), 1.0);
        QVERIFY(plot.cellOpacity(1, 0) < 0.7 && plot.cellOpacity(2, 1) < plot.cellOpacity(1, 0));
        const QString text = plot.hoverText(plot.cellPixel(1, 0));
        QVERIFY2(text.contains(QStringLiteral("2 of 4 runs agree")), qPrintable(text));
        // The drawn cell is paler: lighter than a certain cell of the same region.
        const QImage image = plot.toPixmap().toImage();
        const QPointF sure = plot.cellPixel(0, 0), unsure = plot.cellPixel(1, 0);
        QVERIFY(QColor(image.pixel(unsure.toPoint())).lightness() > QColor(image.pixel(sure.toPoint())).lightness() + 20);
        bool legendSaysSo = false;
        for (int i = 0; i < plot.legend->itemCount(); ++i)
            if (auto* item = qobject_cast<QCPPlottableLegendItem*>(plot.legend->item(i)))
                legendSaysSo = legendSaysSo || item->plottable()->name().contains(QStringLiteral("disagree"));
        QVERIFY(legendSaysSo);
        plot.setGrid(x, y, std::vector<int>(9, PhaseDiagramPlot::Dedicated), {}); // a new grid forgets it
        QCOMPARE(plot.cellOpacity(1, 0), 1.0);
    }

    void normBars_eightColumnsFitThePresentationTheme()
    {
        // The intro sweep's eight columns at a 1280 px window in the presentation theme: the titles wrap ("1−S =",
        // "0.0158", "(dense)") so the plot's layout fits its width.
        Theme::apply(*qApp, Theme::Id::Presentation);
        NormBarsPlot plot;
        std::vector<Eigen::MatrixXf> W;
        QStringList titles{QStringLiteral("1\u2212S = 1 (dense)")};
        for (int k = 0; k < 8; ++k)
            W.push_back(randomMatrix(2, 5, unsigned(k + 1)));
        for (double p : {0.652, 0.425, 0.277, 0.181, 0.118, 0.0767, 0.05})
            titles << QStringLiteral("1\u2212S = %1").arg(p);
        plot.setInstances(W, titles);
        Theme::applyToPlots(&plot);
        showAt(plot, QSize(1245, 615));
        plot.replot(QCustomPlot::rpImmediateRefresh);
        const int minimum = plot.plotLayout()->minimumOuterSizeHint().width();
        Theme::apply(*qApp, Theme::Id::Light);
        QVERIFY2(minimum <= 1245, qPrintable(QString::number(minimum)));
        QVERIFY(plot.minimumSizeHint().width() <= 1245);
    }

    void normBars_narrowColumnsShowTheirValues_data()
    {
        QTest::addColumn<int>("width");
        QTest::newRow("half slide") << 620;
        // where "1−S =" and the values fit on two lines (normBars_eightColumnsFitThePresentationTheme) they stay whole
    }
    void normBars_narrowColumnsShowTheirValues()
    {
        // A half-slide: columns too narrow even for "1−S =" show the value alone (two significant digits, one where
        // two do not fit), the first one under "1−S" where it fits; nothing is cut to "1…" or "0.…".
        QFETCH(int, width);
        Theme::apply(*qApp, Theme::Id::Presentation);
        NormBarsPlot plot;
        std::vector<Eigen::MatrixXf> W;
        QStringList titles{QStringLiteral("1\u2212S = 1 (dense)")};
        const std::vector<double> p{1.0, 0.652, 0.425, 0.277, 0.181, 0.118, 0.0767, 0.0158};
        for (int k = 0; k < 8; ++k)
            W.push_back(randomMatrix(2, 5, unsigned(k + 1)));
        for (std::size_t k = 1; k < p.size(); ++k)
            titles << QStringLiteral("1\u2212S = %1").arg(p[k]);
        plot.setInstances(W, titles);
        Theme::applyToPlots(&plot);
        showAt(plot, QSize(width, 600));
        plot.replot(QCustomPlot::rpImmediateRefresh);
        Theme::apply(*qApp, Theme::Id::Light);
        QCOMPARE(plot.shownColumnTitle(0), QStringLiteral("1\u2212S\n1"));
        for (int k = 1; k < 8; ++k) {
            const QString shown = plot.shownColumnTitle(k);
            const bool asTwoDigits = shown == QString::number(p[std::size_t(k)], 'g', 2);
            const bool asOneDigit = shown == QString::number(p[std::size_t(k)], 'g', 1);
            QVERIFY2(asTwoDigits || asOneDigit, qPrintable(QStringLiteral("column %1: %2").arg(k).arg(shown)));
        }
    }

    void panel_manyFeaturesOpenOnGlyphs()
    {
        std::unique_ptr<SuperpositionPanel> panel(quickPanel(80, 5));
        QTabWidget* tabs = viewTabs(*panel);
        QVERIFY(tabs);
        QCOMPARE(tabs->currentIndex(), 0);
        panel->startTraining();
        panel->waitForTraining();
        QCOMPARE(tabs->tabText(tabs->currentIndex()), QStringLiteral("D\u1d62"));
        auto* glyphs = qobject_cast<FeatureDimensionalityPlot*>(panel->figureWidget(QStringLiteral("feature-dimensionality")));
        QVERIFY(glyphs);
        QCOMPARE(glyphs->pointCount(), 160);
        // A small model stays on the arrows.
        std::unique_ptr<SuperpositionPanel> small(quickPanel(5, 2));
        small->startTraining();
        small->waitForTraining();
        QCOMPARE(viewTabs(*small)->currentIndex(), 0);
    }

    void stillFallingLossIsSaid()
    {
        // 200 steps: far from converged, so the status says the loss is still falling.
        std::unique_ptr<SuperpositionPanel> panel(quickPanel(5, 2, 200));
        panel->startTraining();
        panel->waitForTraining();
        QApplication::sendPostedEvents();
        auto* status = panel->findChild<QLabel*>(QStringLiteral("trainingStatus"));
        QVERIFY(status);
        QVERIFY2(status->text().contains(QStringLiteral("Loss still falling")), qPrintable(status->text()));
        QVERIFY(!ToyRunSummary::lossStillFallingNote(*panel->result()).isEmpty());
    }

    void session_tabById_legacyIndex()
    {
        std::unique_ptr<SuperpositionPanel> panel(quickPanel(5, 2));
        PanelState state;
        panel->saveState(state);
        QCOMPARE(state.settings["view"]["tab"].get<std::string>(), std::string("geometry"));
        state.settings["view"]["tab"] = 1; // a session from before the glyph tab: index 1 was the Gram matrix
        panel->restoreState(state);
        QCOMPARE(viewTabs(*panel)->tabText(viewTabs(*panel)->currentIndex()), QStringLiteral("W\u1d40W and b"));
        panel->saveState(state);
        QCOMPARE(state.settings["view"]["tab"].get<std::string>(), std::string("gram"));
        state.settings["view"]["tab"] = "dimensionality";
        panel->restoreState(state);
        QCOMPARE(viewTabs(*panel)->tabText(viewTabs(*panel)->currentIndex()), QStringLiteral("D\u1d62"));
        state.settings["view"]["tab"] = "nowhere";
        QVERIFY_THROWS_EXCEPTION(std::exception, panel->restoreState(state));
    }

    void everyFigureHasAHumanTitle()
    {
        SuperpositionPanel toy;
        EnergyBoundPanel energy;
        for (Panel* panel : {static_cast<Panel*>(&toy), static_cast<Panel*>(&energy)})
            for (const QString& figure : panel->figureNames()) {
                QVERIFY2(FigureTitles::has(figure), qPrintable(figure));
                QVERIFY(panel->figureTitle(figure) != figure);
            }
        QCOMPARE(FigureTitles::title(QStringLiteral("some-new-view")), QStringLiteral("Some new view"));
        QVERIFY(toy.presetIds().contains(QStringLiteral("sticky")));
        QVERIFY(!toy.selectPreset(QStringLiteral("nope")));
        QVERIFY(toy.selectPreset(QStringLiteral("importance")));
        QCOMPARE(toy.controls()->modelConfig().features, 20);
        QVERIFY(energy.presetIds().contains(QStringLiteral("h100-sxm5")));
    }
};

QTEST_MAIN(TestGeometryViews)
#include "tst_geometry_views.moc"
